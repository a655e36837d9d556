"""Intake's use cases: one handler per command or event, each given the unit of work.

The handlers are typed against the concrete :class:`~ankommen.intake.adapters.unit_of_work.
IntakeUnitOfWork` rather than a ``Protocol`` of ports: intake has one unit and one set of
repositories, so a second description of the same methods would only be kept in step by
hand; the in-memory fakes of the tests (``tests/intake/fakes.py``) are held to the real
repositories by a contract test that runs both instead.
"""
