"""File kinds, their fields, the loader that reads them, their JSON Schemas, and the finding codes."""
