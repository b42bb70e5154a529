"""hipcheck: hip pain after running, from the runner's own data."""

__version__ = "0.1.0"
