"""plan capability."""
