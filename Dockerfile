# syntax=docker/dockerfile:1
# Banking API: multi-stage build (pnpm workspace, TypeScript project references), non-root runtime.
#   docker build -t banking-api .
#   docker run -p 3000:3000 -e SECRET_KEY="$(openssl rand -base64 48)" -v banking-data:/data banking-api
# With no DATABASE_URL the API keeps an embedded PostgreSQL (PGlite) in /data; docker-compose.yml
# runs it against PostgreSQL 15 and Redis 7 instead.

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS pnpm
RUN npm install --global pnpm@12.4.2 && pnpm --version
WORKDIR /app

# Manifests only, so the dependency layers are reused while only sources change.
FROM pnpm AS manifests
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./
COPY packages/domain/package.json packages/domain/
COPY packages/adapters-memory/package.json packages/adapters-memory/
COPY packages/testing/package.json packages/testing/
COPY packages/adapters-postgres/package.json packages/adapters-postgres/
COPY packages/adapters-redis/package.json packages/adapters-redis/
COPY packages/http-fastify/package.json packages/http-fastify/

FROM manifests AS build
RUN pnpm install --frozen-lockfile
COPY tsconfig.base.json tsconfig.json ./
COPY packages/domain/tsconfig.json packages/domain/
COPY packages/domain/src packages/domain/src
COPY packages/adapters-memory/tsconfig.json packages/adapters-memory/
COPY packages/adapters-memory/src packages/adapters-memory/src
COPY packages/adapters-postgres/tsconfig.json packages/adapters-postgres/
COPY packages/adapters-postgres/src packages/adapters-postgres/src
COPY packages/adapters-redis/tsconfig.json packages/adapters-redis/
COPY packages/adapters-redis/src packages/adapters-redis/src
COPY packages/http-fastify/tsconfig.json packages/http-fastify/
COPY packages/http-fastify/src packages/http-fastify/src
RUN pnpm exec tsc -b packages/http-fastify

# Production dependencies only (no TypeScript, no test runner at the root).
FROM manifests AS prod-deps
RUN pnpm install --frozen-lockfile --prod

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data
WORKDIR /app
COPY --from=prod-deps --chown=node:node /app ./
COPY --from=build --chown=node:node /app/packages/domain/dist packages/domain/dist
COPY --from=build --chown=node:node /app/packages/adapters-memory/dist packages/adapters-memory/dist
COPY --from=build --chown=node:node /app/packages/adapters-postgres/dist packages/adapters-postgres/dist
COPY --from=build --chown=node:node /app/packages/adapters-redis/dist packages/adapters-redis/dist
COPY --from=build --chown=node:node /app/packages/http-fastify/dist packages/http-fastify/dist
COPY --chown=node:node packages/http-fastify/assets packages/http-fastify/assets
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
# /health answers 200 while the process runs; /ready also checks the database and Redis.
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM drains in-flight requests, then closes the database and Redis connections.
STOPSIGNAL SIGTERM
CMD ["node", "packages/http-fastify/dist/main.js"]
