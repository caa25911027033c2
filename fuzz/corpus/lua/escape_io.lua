-- A filter file that tries to read a file: io is not opened.
local f = io.open("/etc/passwd")
