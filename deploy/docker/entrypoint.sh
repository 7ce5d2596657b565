#!/bin/sh
# Runs the service named by SERVICE as PID 1 (exec), passing arguments on: `migrate` runs its
# migrations and exits.
set -eu
case "${SERVICE:-}" in
  order | inventory | payment | logistics | channels) ;;
  *)
    echo "SERVICE must be one of order, inventory, payment, logistics, channels (got '${SERVICE:-}')" >&2
    exit 64
    ;;
esac
exec node "/app/dist/services/${SERVICE}/src/main.js" "$@"
