"""The messaging backbone: Kafka's topic plan (:mod:`.topics`), how a client signs in
(:mod:`.kafka_access`), the principals and their ACLs (:mod:`.kafka_acls`) and a production
Kafka's secrets (:mod:`.kafka_secrets`); broker factory, transactional outbox and relay, inbox,
dead letters."""
