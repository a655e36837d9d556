"""Monitoring's use cases: one handler per command or event, each inside a unit of work."""
