"""``ankommen-progress serve|migrate``."""

from ankommen.progress.app import build_runtime
from ankommen.progress.config import ProgressSettings
from ankommen.shared.cli.service import service_cli

app = service_cli("progress", ProgressSettings, build_runtime,
                  "ankommen.progress.app:create_app")
