#!/usr/bin/env bash
# Starts the production broker secured (docs/security.md, "Kafka principals and ACLs"), in the
# apache/kafka image, instead of the image's own start script — which cannot give the storage
# its first SCRAM credential: User:admin's is written when the storage is formatted (KRaft keeps
# SCRAM credentials in its metadata, so the first one cannot come through the admin API).
#
#  * server.properties from the KAFKA_* variables (the image's convention: KAFKA_A_B → a.b,
#    "__" → "_", "___" → "-"), plus the JAAS lines with the admin's password, which is read
#    from the secret file $KAFKA_ADMIN_PASSWORD_FILE and never put in the environment;
#  * the storage formatted once (CLUSTER_ID), with the admin's SCRAM credential;
#  * a client configuration for the health check (as admin, over TLS).
set -euo pipefail
bin=${ANKOMMEN_KAFKA_BIN:-/opt/kafka/bin}

config=/tmp/ankommen-kafka/server.properties
client=/tmp/ankommen-kafka/client.properties
mkdir -p /tmp/ankommen-kafka
chmod 700 /tmp/ankommen-kafka
umask 077

password=$(tr -d '\r\n' < "${KAFKA_ADMIN_PASSWORD_FILE:?the admin password file}")
[ -n "$password" ] || { echo "empty admin password in $KAFKA_ADMIN_PASSWORD_FILE" >&2; exit 1; }

{
  env | grep '^KAFKA_' | grep -v -E '^KAFKA_(HOME|VERSION|ADMIN_PASSWORD_FILE|[A-Z_]*_OPTS)=' |
    while IFS='=' read -r name value; do
      key=$(printf '%s' "${name#KAFKA_}" | sed -e 's/___/-/g' -e 's/__/@/g' -e 's/_/./g' \
                                             -e 's/@/_/g' | tr '[:upper:]' '[:lower:]')
      printf '%s=%s\n' "$key" "$value"
    done
  scram=org.apache.kafka.common.security.scram.ScramLoginModule
  plain=org.apache.kafka.common.security.plain.PlainLoginModule
  echo "listener.name.clients.scram-sha-512.sasl.jaas.config=$scram required username=\"admin\" password=\"$password\";"
  echo "listener.name.controller.plain.sasl.jaas.config=$plain required username=\"admin\" password=\"$password\" user_admin=\"$password\";"
} > "$config"

{
  echo "security.protocol=SASL_SSL"
  echo "sasl.mechanism=SCRAM-SHA-512"
  echo "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"admin\" password=\"$password\";"
  echo "ssl.truststore.type=PEM"
  echo "ssl.truststore.location=${KAFKA_SSL_TRUSTSTORE_LOCATION}"
} > "$client"

"$bin"/kafka-storage.sh format --cluster-id "${CLUSTER_ID:?}" --config "$config" \
  --ignore-formatted --add-scram "SCRAM-SHA-512=[name=admin,password=$password]"

exec "$bin"/kafka-server-start.sh "$config"
