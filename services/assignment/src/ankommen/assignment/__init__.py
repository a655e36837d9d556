"""ankommen course assignment: course catalogue, placements and waiting lists."""
