"""ankommen monitoring: anonymous aggregates only, from de-identified facts."""
