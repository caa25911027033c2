filter {
  id = "no-pattern",
  title = "A filter without a pattern",
}
