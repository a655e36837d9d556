"""``ankommen-intake serve|migrate``."""

from ankommen.intake.app import build_runtime
from ankommen.intake.config import IntakeSettings
from ankommen.shared.cli.service import service_cli

app = service_cli("intake", IntakeSettings, build_runtime,
                  "ankommen.intake.app:create_app")
