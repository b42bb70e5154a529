"""Use cases: each module is one thing a user does, owning its transaction. CLI and web call these."""
