# "03 Des 2026", "03 Dec 2026": compact for tables, the month in words.
SHORT_DATE_FORMAT = "d M Y"
SHORT_DATETIME_FORMAT = "d M Y H:i"
