"""``ankommen-assignment serve|relay|migrate|outbox|asyncapi``."""

from ankommen.assignment.config import AssignmentSettings
from ankommen.assignment.definition import DEFINITION
from ankommen.shared.cli.service import service_cli

app = service_cli("assignment", AssignmentSettings, "ankommen.assignment.app:build_runtime",
                  "ankommen.assignment.app:create_app", DEFINITION)
