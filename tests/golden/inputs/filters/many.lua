-- 101 generated filters for the env "too-many" only.
for i = 1, 101 do
  filter {
    id = string.format("generated-%03d", i),
    title = "Generated detection " .. i,
    pattern = eq("$.eventName", string.format("Call%03d", i)),
    envs = { "too-many" },
    topic = "devops",
    examples = {
      match = { { eventName = string.format("Call%03d", i) } },
      nomatch = { { eventName = "Other" } },
    },
  }
end
