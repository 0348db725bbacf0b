# Zhiku: the API server with the built web client. Data (SQLite, LanceDB, original files) lives in /data.
# Every build step is an npm script that CI runs too (scripts/production-check.sh without Docker,
# scripts/compose-check.sh with a Docker engine). No `# syntax=` line: the builder built into the engine is used,
# so a build needs nothing from a registry but the base image and the npm packages.
# Works with the classic builder and with BuildKit (Docker Engine 20.10 or newer).

# ---- base: the system packages better-sqlite3 needs to compile when no prebuilt binary matches ----
FROM node:20-bookworm-slim AS base
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production

# ---- manifests: every package.json of the workspaces, and nothing else ----
# The next stages copy this folder first; its layer (and so their `npm ci`) is reused for as long as no
# manifest or the lock file changes, whatever else does. New workspaces are picked up without editing this file.
FROM base AS manifests
COPY . /source
RUN mkdir /manifests \
  && cd /source \
  && find . -name package.json -not -path "*/node_modules/*" -exec cp --parents {} /manifests \; \
  && cp package-lock.json /manifests/

# ---- production dependencies only, from the manifests (cached across source changes) ----
FROM base AS production-dependencies
COPY --from=manifests /manifests ./
RUN npm run prune:production

# ---- build: all dependencies (cached the same way), then compile TypeScript and the web client ----
FROM base AS build
COPY --from=manifests /manifests ./
RUN npm ci --include=dev --no-audit --no-fund
COPY . .
RUN npm run build:production

# ---- runtime: production dependencies and compiled output only ----
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
  DATA_DIR=/data \
  HOST=0.0.0.0 \
  PORT=3000
# git (with ca-certificates for https) clones the branches of Git sources; Tesseract 5 with Simplified Chinese and
# English reads images and scanned PDF pages (docs/ocr.md).
RUN apt-get update \
  && apt-get install -y --no-install-recommends git ca-certificates tesseract-ocr tesseract-ocr-chi-sim tesseract-ocr-eng \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=production-dependencies /app/package.json /app/package-lock.json ./
COPY --from=production-dependencies /app/node_modules ./node_modules
COPY --from=build /app/packages/ingest/package.json ./packages/ingest/package.json
COPY --from=build /app/packages/ingest/dist ./packages/ingest/dist
COPY --from=build /app/apps/server/package.json ./apps/server/package.json
COPY --from=build /app/apps/server/dist ./apps/server/dist
COPY --from=build /app/apps/web/dist ./apps/web/dist
COPY --from=build /app/docker/healthcheck.mjs ./docker/healthcheck.mjs
# The image's unprivileged `node` user (uid 1000) owns the data volume; the code stays read-only to it.
RUN mkdir -p /data && chown node:node /data \
  && printf '#!/bin/sh\nexec node /app/apps/server/dist/cli.js "$@"\n' > /usr/local/bin/zhiku \
  && chmod 755 /usr/local/bin/zhiku
USER node
VOLUME /data
EXPOSE 3000
# Compose overrides this with the same test; `docker run` alone uses it. Run `docker run --init` (Compose sets
# `init: true`) so that a stop signal during start-up ends the server at once.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
  CMD ["node", "docker/healthcheck.mjs"]
CMD ["node", "apps/server/dist/main.js"]
