# syntax=docker/dockerfile:1
# One image for every radius-mfa role; the role comes from RADIUS_MFA_ROLE
# (ingress | worker | results | all) and the config from RADIUS_MFA_CONFIG.
# Validated by tests in deploy/test (structure, context, .dockerignore); no Docker engine
# runs on the development machines, so the image is not built there.

ARG NODE_IMAGE=node:24-bookworm-slim

# ---- build: full install (dev dependencies included) and `tsc -b` ----------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /src
# The root `prepare` script runs `tsc -b`, so `npm ci` also builds every package.
COPY . .
RUN npm ci --no-audit --no-fund \
 && npx tsc -b \
 # What production needs: manifests, compiled dist/ folders, the CLI launcher, container scripts.
 && sh deploy/docker/assemble.sh /src /out

# ---- production: runtime dependencies only, non-root, tini as PID 1 ---------------------
FROM ${NODE_IMAGE} AS production
# tini forwards SIGTERM/SIGINT to Node and reaps zombies: Node as PID 1 ignores signals
# it has no handler for and reaps nothing.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    RADIUS_MFA_ROLE=all \
    RADIUS_MFA_CONFIG=/etc/radius-mfa/config.yaml \
    RADIUS_MFA_OPS_PORT=9100
WORKDIR /app
COPY --from=build /out/ ./
# --ignore-scripts: the root `prepare` (tsc -b) cannot run without dev dependencies.
# argon2 is a native addon: `npm rebuild argon2` runs its install step, which picks the
# prebuilt binary shipped in the package.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm rebuild argon2 \
 && npm cache clean --force \
 && mkdir -p /etc/radius-mfa
# The root filesystem can be mounted read-only: nothing below writes outside /tmp.
USER node
# RADIUS auth, accounting, RadSec, results-api, ops (/healthz /readyz /metrics).
EXPOSE 1812/udp 1813/udp 2083/tcp 8080/tcp 9100/tcp
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "/app/healthcheck.mjs"]
STOPSIGNAL SIGTERM
# entrypoint.sh execs Node (no shell left between tini and Node); `start` (the default)
# becomes `start --role $RADIUS_MFA_ROLE --config $RADIUS_MFA_CONFIG`, any other command
# goes to the CLI as is (e.g. `config check /etc/radius-mfa/config.yaml`).
ENTRYPOINT ["/usr/bin/tini", "--", "/app/entrypoint.sh"]
CMD ["start"]
