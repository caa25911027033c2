filter { id = "same", title = "First", pattern = "first" }
filter { id = "same", title = "Second", pattern = "second" }
