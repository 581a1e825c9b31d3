# syntax=docker/dockerfile:1
# One image definition, one target per service, each running the entry point and Node flags `npm start` runs
# (scripts/services.mjs):
#
#   docker build --target police -t safeguarding/police .      (identity-provider, alerts, police, social-care,
#                                                               health, portal, gateway)
#
# deploy/compose.yaml builds every target. test/deploy/container.test.ts fails when a target's command, port or
# health check drifts from scripts/services.mjs, and `npm run test:deploy` replays the runtime stage (the manifests,
# `npm ci --omit=dev`, every COPY --from=build) into a folder and runs the whole topology from it: no container
# engine was available where this file was written, so that is how it is kept honest.

# The same Node as the root devDependency "node" that runs every script and test (the container test checks this).
ARG NODE_VERSION=24.21.0

FROM node:${NODE_VERSION}-bookworm-slim AS base
ENV NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false
WORKDIR /app

# Every workspace's manifest and the lock file, before any source, so the install layers are reused until a
# dependency changes. The test workspace (cross-service tests) is left out of the image; npm ci accepts a listed
# workspace whose folder is absent. Add a line here for a new workspace: the container test lists any missing.
FROM base AS manifests
COPY package.json package-lock.json ./
COPY glossary/package.json glossary/
COPY gateway/shared/package.json gateway/shared/
COPY gateway/protocol-engine/package.json gateway/protocol-engine/
COPY gateway/identity-provider/package.json gateway/identity-provider/
COPY subgraphs/kit/package.json subgraphs/kit/
COPY subgraphs/police/package.json subgraphs/police/
COPY subgraphs/social-care/package.json subgraphs/social-care/
COPY subgraphs/health/package.json subgraphs/health/
COPY subgraphs/alerts/package.json subgraphs/alerts/
COPY gateway/package.json gateway/
COPY portal/package.json portal/

# Everything compiled the way CI compiles it: tsc, the composed supergraph, the Astro site and its search index.
FROM manifests AS build
RUN npm ci
COPY . .
RUN npm run build

FROM manifests AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    DATA_DIR=/var/lib/safeguarding
# Production dependencies only. No install script is needed at run time (the ones allowed in package.json build
# the portal or fetch the Node that runs scripts on a developer's machine), so none runs.
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
# What the services read at run time: compiled code, the composed supergraph (in gateway/dist), the glossary's
# term files, the per-area protocol and alert settings, the portal's built site and course files.
COPY --from=build /app/glossary/dist glossary/dist
COPY --from=build /app/glossary/terms glossary/terms
COPY --from=build /app/gateway/shared/dist gateway/shared/dist
COPY --from=build /app/gateway/protocol-engine/dist gateway/protocol-engine/dist
COPY --from=build /app/gateway/identity-provider/dist gateway/identity-provider/dist
COPY --from=build /app/subgraphs/kit/dist subgraphs/kit/dist
COPY --from=build /app/subgraphs/police/dist subgraphs/police/dist
COPY --from=build /app/subgraphs/social-care/dist subgraphs/social-care/dist
COPY --from=build /app/subgraphs/health/dist subgraphs/health/dist
COPY --from=build /app/subgraphs/alerts/dist subgraphs/alerts/dist
COPY --from=build /app/gateway/dist gateway/dist
COPY --from=build /app/gateway/protocol gateway/protocol
COPY --from=build /app/portal/dist portal/dist
COPY --from=build /app/portal/server-dist portal/server-dist
COPY --from=build /app/portal/course portal/course
COPY deploy/probe.mjs deploy/probe.mjs
# Production keeps its data in PostgreSQL; DATA_DIR is only where a store falls back to SQLite when no
# *_DATABASE_URL is given, so it must be writable by the service user.
RUN mkdir -p /var/lib/safeguarding && chown node:node /var/lib/safeguarding
# The node image's unprivileged user (uid 1000): the services need no root.
USER node

FROM runtime AS police
ENV POLICE_PORT=4001
EXPOSE 4001
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
    CMD node deploy/probe.mjs "http://127.0.0.1:${POLICE_PORT}/health"
CMD ["node", "--max-semi-space-size=8", "subgraphs/police/dist/main.js"]

FROM runtime AS social-care
ENV SOCIAL_CARE_PORT=4002
EXPOSE 4002
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
    CMD node deploy/probe.mjs "http://127.0.0.1:${SOCIAL_CARE_PORT}/health"
CMD ["node", "--max-semi-space-size=8", "subgraphs/social-care/dist/main.js"]

FROM runtime AS health
ENV HEALTH_PORT=4003
EXPOSE 4003
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
    CMD node deploy/probe.mjs "http://127.0.0.1:${HEALTH_PORT}/health"
CMD ["node", "--max-semi-space-size=8", "subgraphs/health/dist/main.js"]

# The alerts service (docs/ALERTS.md): consumes the agencies' events from NATS JetStream (NATS_URL), or takes them
# at /events when there is no broker, and reads its per-area settings from gateway/protocol/alerts.
FROM runtime AS alerts
ENV ALERTS_PORT=4004
EXPOSE 4004
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
    CMD node deploy/probe.mjs "http://127.0.0.1:${ALERTS_PORT}/health"
CMD ["node", "--max-semi-space-size=8", "subgraphs/alerts/dist/main.js"]

FROM runtime AS portal
ENV PORTAL_PORT=4321
EXPOSE 4321
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
    CMD node deploy/probe.mjs "http://127.0.0.1:${PORTAL_PORT}/health"
CMD ["node", "--max-semi-space-size=8", "portal/server-dist/main.js"]

FROM runtime AS gateway
ENV GATEWAY_PORT=4000
EXPOSE 4000
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
    CMD node deploy/probe.mjs "http://127.0.0.1:${GATEWAY_PORT}/health"
CMD ["node", "--max-semi-space-size=8", "gateway/dist/main.js"]

# The development OpenID Connect provider (gateway/identity-provider). It signs anyone in as a demo user without a
# password, so it refuses to start when NODE_ENV=production: this target runs it in development mode, for
# demonstrations and staging only. A real deployment leaves it out and points the gateway at the organisation's own
# provider (README, "Using Entra ID").
FROM runtime AS identity-provider
ENV NODE_ENV=development \
    IDP_PORT=4400
EXPOSE 4400
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
    CMD node deploy/probe.mjs "http://127.0.0.1:${IDP_PORT}/health"
CMD ["node", "--max-semi-space-size=8", "gateway/identity-provider/dist/main.js"]
