# airflow-mcp container image: stateless MCP server for Apache Airflow.
# Build:  docker build -t airflow-mcp:$(node -p "require('./package.json').version") .
# CI has no Docker engine: test/helm/docker-replay.sh replays these steps on a clean copy of the
# repository (COPY sources exist, npm ci and the build succeed, CMD serves /readyz).
# Keep RUN steps relative to WORKDIR so the replay can run them outside a container.

ARG NODE_IMAGE=node:24.21.0-bookworm-slim

# --- build: all dependencies, bundle the service into dist/main.js ---------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts/build ./scripts/build
COPY src ./src
RUN npm run build

# --- runtime ---------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="airflow-mcp" \
      org.opencontainers.image.description="Stateless MCP server that gives AI assistants safe access to Apache Airflow's REST API" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.base.name="${NODE_IMAGE}"
# jemalloc instead of glibc's malloc: glibc kept ~35 MiB of freed memory (V8's compiler zones, spread
# over per-thread arenas) after load and RSS crept; with jemalloc returning it after a second, RSS after
# 100k requests is ~25 MiB lower and stops creeping, for ~5 % CPU (docs/architecture.md). The bench and the soak read
# these two variables here. Found by name, so any architecture's package works.
RUN apt-get update && apt-get install -y --no-install-recommends libjemalloc2 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8000 \
    LD_PRELOAD=libjemalloc.so.2 \
    MALLOC_CONF=narenas:1,dirty_decay_ms:1000,muzzy_decay_ms:0
WORKDIR /app
# Owned by root and not writable by the service user: nothing is written at run time, so the
# container runs with a read-only root filesystem. The bundle carries every dependency: no node_modules.
COPY --from=build --chown=0:0 /app/dist ./dist
# package.json: its "type": "module" makes Node load dist/main.js as the ES module it is.
COPY --chown=0:0 package.json ./
USER 10001:10001
EXPOSE 8000
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# A smaller young generation (8 MB semi-spaces instead of V8's up to 32 MB) keeps the heap near 60 MB
# under load at no measurable CPU cost (docs/benchmarks.md); the bench and the soak read these flags here.
CMD ["node", "--max-semi-space-size=8", "dist/main.js"]
