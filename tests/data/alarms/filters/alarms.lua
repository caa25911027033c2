-- filters/alarms.lua — one filter per alarm shape of the replay fixture:
-- threshold 1 and 3, period 300 and 900 s, 1 and 2 evaluation periods.

filter {
  id = "fixture-t1-p300-e1",
  title = "Alarm fixture: threshold 1, period 300, 1 evaluation period(s)",
  pattern = eq("$.eventName", "HardengenAlarmFixture"),
  topic = "devops",
  alarm = { threshold = 1, period = 300, evaluation_periods = 1 },
  examples = { match = { { eventName = "HardengenAlarmFixture" } } },
}

filter {
  id = "fixture-t1-p300-e2",
  title = "Alarm fixture: threshold 1, period 300, 2 evaluation period(s)",
  pattern = eq("$.eventName", "HardengenAlarmFixture"),
  topic = "devops",
  alarm = { threshold = 1, period = 300, evaluation_periods = 2 },
  examples = { match = { { eventName = "HardengenAlarmFixture" } } },
}

filter {
  id = "fixture-t1-p900-e1",
  title = "Alarm fixture: threshold 1, period 900, 1 evaluation period(s)",
  pattern = eq("$.eventName", "HardengenAlarmFixture"),
  topic = "devops",
  alarm = { threshold = 1, period = 900, evaluation_periods = 1 },
  examples = { match = { { eventName = "HardengenAlarmFixture" } } },
}

filter {
  id = "fixture-t1-p900-e2",
  title = "Alarm fixture: threshold 1, period 900, 2 evaluation period(s)",
  pattern = eq("$.eventName", "HardengenAlarmFixture"),
  topic = "devops",
  alarm = { threshold = 1, period = 900, evaluation_periods = 2 },
  examples = { match = { { eventName = "HardengenAlarmFixture" } } },
}

filter {
  id = "fixture-t3-p300-e1",
  title = "Alarm fixture: threshold 3, period 300, 1 evaluation period(s)",
  pattern = eq("$.eventName", "HardengenAlarmFixture"),
  topic = "devops",
  alarm = { threshold = 3, period = 300, evaluation_periods = 1 },
  examples = { match = { { eventName = "HardengenAlarmFixture" } } },
}

filter {
  id = "fixture-t3-p300-e2",
  title = "Alarm fixture: threshold 3, period 300, 2 evaluation period(s)",
  pattern = eq("$.eventName", "HardengenAlarmFixture"),
  topic = "devops",
  alarm = { threshold = 3, period = 300, evaluation_periods = 2 },
  examples = { match = { { eventName = "HardengenAlarmFixture" } } },
}

filter {
  id = "fixture-t3-p900-e1",
  title = "Alarm fixture: threshold 3, period 900, 1 evaluation period(s)",
  pattern = eq("$.eventName", "HardengenAlarmFixture"),
  topic = "devops",
  alarm = { threshold = 3, period = 900, evaluation_periods = 1 },
  examples = { match = { { eventName = "HardengenAlarmFixture" } } },
}

filter {
  id = "fixture-t3-p900-e2",
  title = "Alarm fixture: threshold 3, period 900, 2 evaluation period(s)",
  pattern = eq("$.eventName", "HardengenAlarmFixture"),
  topic = "devops",
  alarm = { threshold = 3, period = 900, evaluation_periods = 2 },
  examples = { match = { { eventName = "HardengenAlarmFixture" } } },
}
