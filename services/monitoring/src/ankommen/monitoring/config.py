"""Settings of the monitoring service (environment prefix ``ANKOMMEN_MONITORING_``)."""

from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from ankommen.shared.settings import ServiceSettings


class MonitoringSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ANKOMMEN_MONITORING_", populate_by_name=True,
                                      extra="ignore")

    service_name: ClassVar[str] = "monitoring"
    default_http_port: ClassVar[int] = 8104
