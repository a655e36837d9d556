"""``ankommen-assignment serve|migrate``."""

from ankommen.assignment.config import AssignmentRuntime, AssignmentSettings
from ankommen.assignment.definition import DEFINITION
from ankommen.shared.cli.service import service_cli


def build_runtime(settings: AssignmentSettings) -> AssignmentRuntime:
    """The whole service, imported only by the commands that use it: not by ``relay``, whose
    process would otherwise hold the web app and what it imports without ever using it."""
    from ankommen.assignment.app import build_runtime as build_service

    return build_service(settings)


app = service_cli("assignment", AssignmentSettings, build_runtime,
                  "ankommen.assignment.app:create_app", DEFINITION)
