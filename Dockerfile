# syntax=docker/dockerfile:1
# The complaints engine: one image, two processes.
#   api:    node dist/api/main.js     (default)
#   worker: node dist/worker/main.js
# Debian-based (glibc): the Temporal SDK's native module has no musl/Alpine build.

# Build stage: every dependency, dev ones included (typescript, the workflow bundler's toolchain).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# tsc to dist/, then dist/workflow-bundle.js (prebuilt workflow code: workers start without webpack).
RUN npm run build

# Runtime stage: a fresh install of the production dependencies only (no @temporalio/testing, no test servers,
# no devtools/ or tests/), and the compiled code.
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/app/.data
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
RUN mkdir -p /app/.data && chown node:node /app/.data
USER node
EXPOSE 3000
# SIGTERM reaches node directly (exec form): the worker drains, the API closes.
CMD ["node", "dist/api/main.js"]
