#!/bin/sh
# One-shot (temporalio/admin-tools): creates the namespace and registers the complaint search attributes given
# as NAME=Type arguments (the list is in docker-compose.yml; tests/deployment.test.ts checks it matches
# workflows/search-attributes.ts). Idempotent: what exists already is left alone.
set -eu
: "${TEMPORAL_ADDRESS:?}"
NAMESPACE="${NAMESPACE:-default}"
RETENTION="${NAMESPACE_RETENTION:-30d}"

echo "Waiting for Temporal at $TEMPORAL_ADDRESS..."
attempt=0
until temporal operator cluster health --address "$TEMPORAL_ADDRESS" >/dev/null 2>&1; do
  attempt=$((attempt + 1))
  [ "$attempt" -ge 60 ] && { echo "Temporal is not healthy after 120s"; exit 1; }
  sleep 2
done

if ! temporal operator namespace describe --namespace "$NAMESPACE" --address "$TEMPORAL_ADDRESS" >/dev/null 2>&1; then
  echo "Creating namespace $NAMESPACE (retention $RETENTION)"
  temporal operator namespace create --namespace "$NAMESPACE" --retention "$RETENTION" --address "$TEMPORAL_ADDRESS"
fi

existing="$(temporal operator search-attribute list --namespace "$NAMESPACE" --address "$TEMPORAL_ADDRESS")"
for pair in "$@"; do
  name="${pair%%=*}"
  type="${pair#*=}"
  if printf '%s\n' "$existing" | grep -qw -- "$name"; then
    echo "Search attribute $name exists"
  else
    echo "Registering search attribute $name ($type)"
    temporal operator search-attribute create --namespace "$NAMESPACE" --name "$name" --type "$type" --address "$TEMPORAL_ADDRESS"
  fi
done
echo "Namespace $NAMESPACE ready"
