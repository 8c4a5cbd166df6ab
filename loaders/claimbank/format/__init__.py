"""The ClaimBank file format, the one source of truth: the vocabulary, the document model, the JSON Schema generated
from it, the table of every record's fields, and the one canonical form every writer uses."""
