# syntax=docker/dockerfile:1
# One image for every Pipewright process; the command picks it: web (default), worker, migrate,
# or pipewright (the CLI). See README "Production" and compose.yaml.

ARG NODE_IMAGE=node:20-bookworm-slim

# Dependencies, dev ones included: the build needs TypeScript, Tailwind and Next's toolchain.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

# The production build (`next build` into .next).
FROM deps AS build
ENV NEXT_TELEMETRY_DISABLED=1
COPY . .
RUN npm run build

# What runs: production dependencies only (tsx runs the worker and scripts as they are in git).
FROM deps AS runtime-deps
RUN npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    PORT=3000 \
    PIPEWRIGHT_DATA_DIR=/var/lib/pipewright
WORKDIR /app
RUN groupadd --system --gid 10001 pipewright \
 && useradd --system --uid 10001 --gid pipewright --home-dir /var/lib/pipewright --shell /usr/sbin/nologin pipewright \
 && mkdir -p /var/lib/pipewright && chown pipewright:pipewright /var/lib/pipewright
# Code and dependencies belong to root and are read-only to the app; only .next/cache is written at run time.
COPY --from=runtime-deps /app/node_modules ./node_modules
COPY --from=build /app/package.json /app/package-lock.json /app/tsconfig.json /app/next.config.mjs /app/postcss.config.mjs /app/proxy.ts ./
COPY --from=build /app/app ./app
COPY --from=build /app/components ./components
COPY --from=build /app/model ./model
COPY --from=build /app/server ./server
COPY --from=build /app/migrations ./migrations
COPY --from=build /app/worker ./worker
COPY --from=build /app/scripts ./scripts
COPY --from=build /app/cli ./cli
COPY --from=build /app/bin ./bin
COPY --from=build /app/docker ./docker
COPY --from=build --chown=pipewright:pipewright /app/.next ./.next
USER pipewright
EXPOSE 3000
ENTRYPOINT ["/app/docker/entrypoint.sh"]
CMD ["web"]
