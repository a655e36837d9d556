"""The messaging backbone: broker factory, transactional outbox and relay, inbox, dead letters."""
