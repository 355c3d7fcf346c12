# CLDR's "medium" date and short time (Babel, tokodesk.core.l10n): "4 Des 2026", "4 Des 2026
# 18.30" (Indonesian separates hours and minutes with a dot). test_l10n checks Django and
# Babel agree.
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y H.i"
