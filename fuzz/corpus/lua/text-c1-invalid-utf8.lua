filter { id = "t-c1", title = "a\xc2\x85b", pattern = "{ $.a = \"\xc2\x9b\" }" }
filter { id = "t-bad", title = "a\xffb", pattern = any_of("$.a", {"\xed\xa0\x80"}) }
