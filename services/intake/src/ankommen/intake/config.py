"""Settings of the intake service (environment prefix ``ANKOMMEN_INTAKE_``)."""

from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from ankommen.shared.settings import ServiceSettings


class IntakeSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ANKOMMEN_INTAKE_", populate_by_name=True,
                                      extra="ignore")

    service_name: ClassVar[str] = "intake"
    default_http_port: ClassVar[int] = 8101
