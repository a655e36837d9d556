"""ankommen intake: records arrivals and the survey once, issues the case pseudonym."""
