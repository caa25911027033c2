-- hostile.lua — patterns for the SQL escaping tests: member names and
-- values with quotes, backslashes, SQL comment and LIKE characters, and
-- term and regex patterns (env rawtext, DuckDB only).
filter {
  id = "quoted-member",
  title = "A member name with dots and a quote in a JSON column",
  envs = { "hostile" },
  pattern = [[{ $.requestParameters.['it''s.a.key'] = "v'; --" || $.additionalEventData.x = "*%_*" }]],
  topic = "infosec",
}

filter {
  id = "raw-terms",
  title = "Term pattern with quotes",
  envs = { "rawtext" },
  pattern = [["it's" -"--"]],
  topic = "infosec",
}

filter {
  id = "raw-regex",
  title = "Regex pattern over the record text",
  envs = { "rawtext" },
  pattern = [[%Name[:\x22]{3}Get[A-Z]\w+%]],
  topic = "infosec",
}
