"""Assignment's domain model: plain Python, no I/O."""
