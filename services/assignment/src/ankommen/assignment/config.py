"""Settings of the assignment service (environment prefix ``ANKOMMEN_ASSIGNMENT_``)."""

from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from ankommen.shared.settings import ServiceSettings


class AssignmentSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ANKOMMEN_ASSIGNMENT_", populate_by_name=True,
                                      extra="ignore")

    service_name: ClassVar[str] = "assignment"
    default_http_port: ClassVar[int] = 8102
