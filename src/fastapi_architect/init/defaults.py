"""What `init` proposes when nothing is said: the first resource and its fields."""

DEFAULT_RESOURCE = "Note"
DEFAULT_FIELDS = "title, body:text?"
