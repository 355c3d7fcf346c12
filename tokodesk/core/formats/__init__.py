"""The app's date formats per language (settings.FORMAT_MODULE_PATH), over Django's own.

Pages show dates through the named formats SHORT_DATE_FORMAT and SHORT_DATETIME_FORMAT,
never a literal pattern: Django's "M" writes a month's abbreviation capitalized ("Déc"),
which is wrong in French, where it is lower case with a period ("déc.", "juil.")."""
