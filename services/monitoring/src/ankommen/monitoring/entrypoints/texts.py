"""Monitoring's page texts (``locale/<lang>/LC_MESSAGES/monitoring.po`` and ``limits.po``)."""

from ankommen.shared.web.i18n import Catalogue, package_catalogue

TEXTS: Catalogue = package_catalogue("ankommen.monitoring")
