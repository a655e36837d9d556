"""Database plumbing: async engines, the unit of work and Alembic migrations per service."""
