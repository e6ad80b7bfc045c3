#!/bin/sh
# The image's command: which Pipewright process this container is. Every one of them applies
# pending migrations on start under PostgreSQL's advisory lock, so any number may start at once.
# The processes run from /app; the CLI runs where it is started (-w), so its paths are the caller's.
set -eu
command="${1:-web}"
[ "$#" -gt 0 ] && shift
case "$command" in
  web) cd /app && exec node --conditions=react-server --import tsx scripts/web.ts "$@" ;;
  # As `npm run worker` starts it (scripts/lib/build-worker.ts: WORKER_ENV, WORKER_NODE_FLAGS): the bundle.
  worker) cd /app && MALLOC_ARENA_MAX=2 exec node --conditions=react-server --max-semi-space-size=4 --heap-growing-percent=50 scripts/worker.mjs "$@" ;;
  migrate) cd /app && exec node --conditions=react-server --import tsx scripts/migrate.ts "$@" ;;
  pipewright) exec node /app/bin/pipewright.mjs "$@" ;;
  healthcheck-web) exec node /app/docker/healthcheck.mjs web ;;
  healthcheck-worker) exec node /app/docker/healthcheck.mjs worker ;;
  *) exec "$command" "$@" ;;
esac
