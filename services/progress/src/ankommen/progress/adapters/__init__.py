"""Progress's adapters: tables and repositories (all queries live here)."""
