"""Test support: real broker, real databases, services in-process or as processes."""
