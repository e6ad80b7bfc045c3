#!/bin/sh
# The image's command: which Pipewright process this container is. Every one of them applies
# pending migrations on start under PostgreSQL's advisory lock, so any number may start at once.
set -eu
cd /app
command="${1:-web}"
[ "$#" -gt 0 ] && shift
case "$command" in
  web) exec node --import tsx scripts/web.ts "$@" ;;
  worker) exec node --import tsx worker/main.ts "$@" ;;
  migrate) exec node --import tsx scripts/migrate.ts "$@" ;;
  pipewright) exec node bin/pipewright.mjs "$@" ;;
  healthcheck-web) exec node docker/healthcheck.mjs web ;;
  healthcheck-worker) exec node docker/healthcheck.mjs worker ;;
  *) exec "$command" "$@" ;;
esac
