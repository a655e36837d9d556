"""ankommen's common library.

The only code the four services share: settings, the event contracts, the messaging backbone
(outbox, inbox, dead letters), database plumbing, telemetry, health checks and authentication.
It never imports a service (an import-linter contract checks this).
"""
