# syntax=docker/dockerfile:1
# Zhiku: the API server with the built web client. Data (SQLite, LanceDB, original files) lives in /data.
# Every build step is an npm script that CI runs too (scripts/production-check.sh), so a broken image build
# shows up in CI even though CI has no Docker engine.

# ---- build: all dependencies, compile TypeScript and the web client, then drop dev dependencies ----
FROM node:20-bookworm-slim AS build
# better-sqlite3 downloads a prebuilt binary; these are the fallback when none matches the platform.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production
# Manifests first, so the dependency layer is reused when only sources change.
COPY package.json package-lock.json ./
COPY packages/ingest/package.json packages/ingest/
COPY packages/stand-in-ollama/package.json packages/stand-in-ollama/
COPY apps/server/package.json apps/server/
COPY apps/web/package.json apps/web/
RUN npm ci --include=dev --no-audit --no-fund
COPY . .
RUN npm run build:production \
  && npm run prune:production

# ---- runtime: production dependencies and compiled output only ----
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
  DATA_DIR=/data \
  HOST=0.0.0.0 \
  PORT=3000
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
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
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
  CMD ["node", "docker/healthcheck.mjs"]
CMD ["node", "apps/server/dist/main.js"]
