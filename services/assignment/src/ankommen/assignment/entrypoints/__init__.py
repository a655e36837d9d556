"""Assignment's entry points: HTTP API, event consumers, command line."""
