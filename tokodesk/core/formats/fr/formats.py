# CLDR's "medium" date and short time (Babel, tokodesk.core.l10n): "4 déc. 2026", "4 déc. 2026,
# 18:30". French abbreviates months in lower case: "N" is Django's abbreviation in the
# language's style, where "M" would capitalize it and cut "juin" and "juillet" to "Jui" and
# "Jul". test_l10n checks Django and Babel agree.
SHORT_DATE_FORMAT = "j N Y"
SHORT_DATETIME_FORMAT = "j N Y, H:i"
