local t = {}
for i = 1, 30 do t[i] = 31 - i end
pcall(table.sort, t, function() return true end)
local s = ("x"):rep(1000)
local n = utf8.len(s) + #tostring(s:byte(1, 10))
if n > 0 then error({}) end
