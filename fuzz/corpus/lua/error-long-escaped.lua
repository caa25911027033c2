error(string.rep("A", 5000) .. "\n\27[31m\255")
