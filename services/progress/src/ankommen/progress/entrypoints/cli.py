"""``ankommen-progress serve|relay|migrate|outbox|asyncapi``."""

from ankommen.progress.config import ProgressSettings
from ankommen.progress.definition import DEFINITION
from ankommen.shared.cli.service import service_cli

app = service_cli("progress", ProgressSettings, "ankommen.progress.app:build_runtime",
                  "ankommen.progress.app:create_app", DEFINITION)
