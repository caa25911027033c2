filter {
  id = "broken"
  title = "A comma is missing above",
}
