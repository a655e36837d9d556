"""The event contracts between the services. Importing this package registers every model."""

from ankommen.shared.events.contracts import facts, intake

__all__ = ["facts", "intake"]
