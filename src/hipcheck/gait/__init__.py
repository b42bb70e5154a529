"""gait capability."""
