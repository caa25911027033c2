-- Doubling a string until it no longer fits under the memory cap.
local s = "x"
while true do
  s = s .. s
end
