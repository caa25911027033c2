-- An endless loop inside pcall: the budget is sticky, so this still fails.
local ok, err = pcall(function()
  while true do end
end)
filter { id = "after-loop", title = "Never recorded", pattern = "x" }
