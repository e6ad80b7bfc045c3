#!/bin/sh
# The image's command: which Pipewright process this container is. Every one of them applies
# pending migrations on start under PostgreSQL's advisory lock, so any number may start at once.
# The processes run from /app; the CLI runs where it is started (-w), so its paths are the caller's.
set -eu
command="${1:-web}"
[ "$#" -gt 0 ] && shift
case "$command" in
  web) cd /app && exec node --conditions=react-server --import tsx scripts/web.ts "$@" ;;
  worker) cd /app && exec node --conditions=react-server --import tsx worker/main.ts "$@" ;;
  migrate) cd /app && exec node --conditions=react-server --import tsx scripts/migrate.ts "$@" ;;
  pipewright) exec node /app/bin/pipewright.mjs "$@" ;;
  healthcheck-web) exec node /app/docker/healthcheck.mjs web ;;
  healthcheck-worker) exec node /app/docker/healthcheck.mjs worker ;;
  *) exec "$command" "$@" ;;
esac
