"""``ankommen-progress serve|migrate``."""

from ankommen.progress.config import ProgressRuntime, ProgressSettings
from ankommen.progress.definition import DEFINITION
from ankommen.shared.cli.service import service_cli


def build_runtime(settings: ProgressSettings) -> ProgressRuntime:
    """The whole service, imported only by the commands that use it: not by ``relay``, whose
    process would otherwise hold the web app and what it imports without ever using it."""
    from ankommen.progress.app import build_runtime as build_service

    return build_service(settings)


app = service_cli("progress", ProgressSettings, build_runtime,
                  "ankommen.progress.app:create_app", DEFINITION)
