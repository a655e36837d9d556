"""Intake's adapters: tables and the repository (all queries live here)."""
