"""Progress tracking's page texts (``locale/<lang>/LC_MESSAGES/progress.po``)."""

from ankommen.shared.web.i18n import Catalogue, package_catalogue

CATALOGUE: Catalogue = package_catalogue("ankommen.progress")
