"""Command lines: ``ankommen`` for the whole system, and the per-service command factory."""
