"""Settings of the progress service (environment prefix ``ANKOMMEN_PROGRESS_``)."""

from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from ankommen.shared.settings import ServiceSettings


class ProgressSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ANKOMMEN_PROGRESS_", populate_by_name=True,
                                      extra="ignore")

    service_name: ClassVar[str] = "progress"
    default_http_port: ClassVar[int] = 8103
