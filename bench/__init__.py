"""``make bench``: each hot path of ankommen against what the broker and the database do on
their own, measured in the same run on the same machine, as ratios (see docs/performance.md)."""
