"""Settings of the progress service (environment prefix ``ANKOMMEN_PROGRESS_``)."""

from typing import ClassVar

from pydantic import AnyHttpUrl, Field
from pydantic_settings import SettingsConfigDict

from ankommen.progress.adapters.unit_of_work import ProgressUnitOfWork
from ankommen.shared.runtime import ServiceRuntime
from ankommen.shared.settings import ServiceSettings


class ProgressSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ANKOMMEN_PROGRESS_", populate_by_name=True,
                                      extra="ignore")

    service_name: ClassVar[str] = "progress"
    default_http_port: ClassVar[int] = 8103

    #: Intake's base URL, for the names of participants who consented to share their contact
    #: details with the provider (asked with the provider's own token). Not set: the provider
    #: pages say that names are unavailable.
    intake_url: AnyHttpUrl | None = None
    #: Seconds the provider pages wait for intake before showing the list without names.
    intake_timeout_seconds: float = Field(3.0, gt=0, le=30)
    #: Reports taken from the providers' topics per batch (one transaction each).
    provider_report_batch_size: int = Field(500, ge=1, le=5000)
    #: Progress reads every provider's reports topic by pattern: a provider added while it
    #: runs (``ankommen topics create``) is read once the service's metadata, at most this
    #: old, shows the new topic — its reports wait on the topic until then, none is lost.
    kafka_metadata_max_age_ms: int | None = Field(30_000, ge=500, le=300_000)
    #: Rows per list upload (CSV or Excel, form and API alike): a county's largest provider
    #: exports its whole list at once (the 100,000-row upload is benchmark B2); a larger list
    #: is refused as a whole (split it).
    csv_max_rows: int = Field(100_000, ge=1, le=1_000_000)
    #: Bytes per list upload (CSV or Excel, form and API alike), checked before parsing
    #: (100,000 rows of an Excel export are about 8 MB as CSV). The one upload limit; the
    #: docs state it once (docs/progress.md, "Lists").
    csv_max_bytes: int = Field(20 * 1024 * 1024, ge=1024, le=200 * 1024 * 1024)
    #: Days a refused report (its id, code, kind and reason; never its body) is kept for the
    #: provider's page of refused reports, then purged: a quarter covers a month's reports,
    #: their corrections and the county's quarterly check.
    refused_report_retention_days: int = Field(90, ge=1, le=730)
    #: Where providers open assignment's pages (the referrals page is linked from progress's
    #: pages): as ``ankommen run`` serves it unless set.
    assignment_public_url: AnyHttpUrl = AnyHttpUrl("http://127.0.0.1:8102")


#: The runtime as progress's code sees it: its settings typed as :class:`ProgressSettings`,
#: its units of work as :class:`ProgressUnitOfWork` (with the service's repositories).
ProgressRuntime = ServiceRuntime[ProgressSettings, ProgressUnitOfWork]
