"""Intake's entry points: the HTTP API and the command line."""
