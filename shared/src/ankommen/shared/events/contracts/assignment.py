"""Events owned by assignment: the course catalogue (keyed by course id) and placements and
waiting lists (keyed by case pseudonym)."""
