filter {
  id = "typo",
  title = "A mistyped field",
  pattern = eq("$.eventName", "X"),
  tpoic = "devops",
}
