"""``ankommen-monitoring serve|migrate``."""

from ankommen.monitoring.app import build_runtime
from ankommen.monitoring.config import MonitoringSettings
from ankommen.shared.cli.service import service_cli

app = service_cli("monitoring", MonitoringSettings, build_runtime,
                  "ankommen.monitoring.app:create_app")
