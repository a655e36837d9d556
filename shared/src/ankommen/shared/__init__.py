"""ankommen's common library, production code only.

The only code the four services share, grouped by purpose: the event contracts (``events``),
Kafka and the messaging backbone — topics, sign-in and ACLs, outbox, inbox, dead letters
(``messaging``), database plumbing (``db``), pages, sign-in and health checks (``web``), who the
caller is (``identity``), and at the top what every part uses: settings, the runtime, clock,
telemetry, errors, text. It never imports a service, nor the development tooling in
``ankommen.tools`` (import-linter contracts check both).
"""
