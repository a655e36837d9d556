"""The event contracts between the services. Importing this package registers every model."""

from ankommen.shared.events.contracts import assignment, facts, intake, progress

__all__ = ["assignment", "facts", "intake", "progress"]
