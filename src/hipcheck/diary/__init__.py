"""diary capability."""
