# CLDR's "medium" date and short time (Babel, tokodesk.core.l10n): "Dec 4, 2026", "Dec 4, 2026,
# 6:30 PM" (U+202F before AM/PM, as CLDR writes it). test_l10n checks Django and Babel agree.
SHORT_DATE_FORMAT = "M j, Y"
SHORT_DATETIME_FORMAT = "M j, Y, g:i\u202fA"
