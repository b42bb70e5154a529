"""CLI command groups, one module each. They parse arguments and call services, nothing more."""
