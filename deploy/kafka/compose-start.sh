#!/usr/bin/env bash
# The compose broker's entrypoint: format the storage once, with Pantau's SCRAM user,
# then run the broker on deploy/kafka/server.compose.properties.
set -euo pipefail
config=/etc/pantau/server.properties
data=/var/lib/kafka/data
if [ ! -f "$data/meta.properties" ]; then
  : "${PANTAU_KAFKA_SASL_PASSWORD:?set it with pantau stack secrets}"
  /opt/kafka/bin/kafka-storage.sh format --config "$config" \
    --cluster-id="$(/opt/kafka/bin/kafka-storage.sh random-uuid)" \
    --add-scram "SCRAM-SHA-512=[name=pantau,password=${PANTAU_KAFKA_SASL_PASSWORD}]"
fi
exec /opt/kafka/bin/kafka-server-start.sh "$config"
