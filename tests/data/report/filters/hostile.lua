-- filters/hostile.lua — a filter whose title and pattern carry markup
-- (tests/sh/report.sh checks the report shows them as text).

filter {
  id = "hostile-markup",
  title = "<script>alert('title')</script> & <img src=x onerror=alert(1)>",
  pattern = eq("$.eventName", "<script>"),
  topic = "infosec",
  alarm = { threshold = 2, period = 300, evaluation_periods = 1 },
  examples = { match = { { eventName = "<script>" } } },
}
