"""load capability."""
