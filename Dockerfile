# syntax=docker/dockerfile:1
# One image per netsentry service, from this monorepo:
#   docker build --build-arg SERVICE=trainer -t netsentry-trainer .
# SERVICE is one of the service catalogue (contracts/src/services.ts): ingestion, validation, transform,
# trainer, evaluator, pusher, inference. The same image also runs the CLI:
#   docker run --rm netsentry-trainer node cli/bin/netsentry.js provision
# Non-root, no secrets (configuration comes from NETSENTRY_* variables at run time), and friendly to a
# read-only root filesystem: nothing is written outside /tmp.

# Pinned base; CI may pin the digest too (docker buildx imagetools inspect node:20.20.2-bookworm-slim).
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

# ---- build: every workspace compiled with the dev dependencies ------------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY . .
RUN npm ci --no-audit --no-fund \
  && npm run build \
  && mkdir -p /out \
  # what the services need at run time: package manifests (for npm ci), compiled code, Avro schemas,
  # the trainer's search space, the CLI's bin shim and the bundled datasets and schemas
  && tar -cf /out/manifests.tar package.json package-lock.json .npmrc \
       $(find contracts libs services cli -name package.json -not -path '*/node_modules/*') \
  && tar -cf /out/runtime.tar \
       $(find contracts libs services cli -type d -name dist -not -path '*/node_modules/*') \
       contracts/schemas services/trainer/config cli/bin data

# ---- runtime: production dependencies only ------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ARG SERVICE=ingestion
ARG VERSION=dev
ENV NODE_ENV=production \
    NETSENTRY_SERVICE=${SERVICE} \
    NETSENTRY_SERVICE_VERSION=${VERSION}
WORKDIR /app
COPY --from=build /out/manifests.tar /tmp/
RUN tar -xf /tmp/manifests.tar && rm /tmp/manifests.tar \
  && npm ci --omit=dev --no-audit --no-fund \
  && npm cache clean --force
# The live-traffic client (decision 0096): librdkafka through @confluentinc/kafka-javascript, from its
# prebuilt binary for this platform. Only inference opens the batch path; NODE_PATH lets its plain
# require() find it (NETSENTRY_KAFKA_CLIENT=auto then picks it; kafkajs if it is absent).
RUN if [ "$SERVICE" = inference ]; then \
      mkdir -p /opt/rdkafka && cd /opt/rdkafka && echo '{"private":true}' >package.json \
      && npm install --no-audit --no-fund @confluentinc/kafka-javascript@1.10.1 \
      && npm cache clean --force; \
    fi
ENV NODE_PATH=/opt/rdkafka/node_modules
COPY --from=build /out/runtime.tar /tmp/
RUN tar -xf /tmp/runtime.tar && rm /tmp/runtime.tar \
  && test -f "services/${SERVICE}/dist/main.js" \
  && chown -R root:root /app && chmod -R a-w /app
COPY deploy/docker/healthcheck.js /app/deploy/docker/healthcheck.js

LABEL org.opencontainers.image.title="netsentry-${SERVICE}" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="Apache-2.0"

# the base image's unprivileged user (uid 1000); Kubernetes' runAsNonRoot needs a numeric id
USER 1000:1000
# the service's catalogue port answers /healthz (liveness) and /readyz (readiness) too
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "/app/deploy/docker/healthcheck.js"]
STOPSIGNAL SIGTERM
CMD ["sh", "-c", "exec node services/${NETSENTRY_SERVICE}/dist/main.js"]
