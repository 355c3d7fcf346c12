# French abbreviates months in lower case ("3 déc. 2026"): "N" is Django's abbreviation in
# the language's style, where "M" would capitalize it and cut "juin" and "juillet" to "Jui"
# and "Jul".
SHORT_DATE_FORMAT = "j N Y"
SHORT_DATETIME_FORMAT = "j N Y H:i"
