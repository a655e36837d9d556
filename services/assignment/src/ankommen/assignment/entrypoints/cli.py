"""``ankommen-assignment serve|migrate``."""

from ankommen.assignment.app import build_runtime
from ankommen.assignment.config import AssignmentSettings
from ankommen.shared.cli.service import service_cli

app = service_cli("assignment", AssignmentSettings, build_runtime,
                  "ankommen.assignment.app:create_app")
