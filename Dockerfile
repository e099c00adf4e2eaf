# syntax=docker/dockerfile:1
# One image for every OuterPark process:
#   docker run IMAGE serve musical      (reservation | payment | notice | customercenter)
#   docker run IMAGE migrate musical
#   docker run IMAGE gateway            (the simulated payment gateway)
#   docker run IMAGE web                (the web app's static files, behind the edge)
ARG NODE_VERSION=24.21.0

# ---- build: all dependencies, TypeScript compiled to dist/ -----------------
FROM node:${NODE_VERSION}-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
# Scripts off: the image's Node is used, not the `node` npm package, and no
# runtime dependency needs an install script.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY gen ./gen
COPY kit ./kit
COPY services ./services
COPY tools ./tools
# tsc by path: node_modules/.bin/node is the unscripted `node` package's stub.
RUN node node_modules/typescript/bin/tsc -p tsconfig.build.json
# The web app (`make web`) into dist/web.
COPY web ./web
RUN node node_modules/vite/bin/vite.js build --config web/vite.config.ts --logLevel warn

# ---- production dependencies only ------------------------------------------
FROM node:${NODE_VERSION}-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# ---- runtime ----------------------------------------------------------------
FROM node:${NODE_VERSION}-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
# A numeric non-root user, so Kubernetes' runAsNonRoot can verify it (chart: 10001).
RUN groupadd --system --gid 10001 outerpark \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin outerpark
# Owned by root and read-only to the app: it can run with a read-only root filesystem.
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY package.json ./
USER 10001:10001
# kit/src/config.ts's service ports and the gateway's (test/edge/ports.test.ts keeps them equal).
EXPOSE 8081 8082 8083 8084 8085 8090
# Exec form, no shell in between: SIGTERM reaches node, which drains within 20 s.
STOPSIGNAL SIGTERM
# V8 flags: kit/src/config.ts SERVICE_NODE_FLAGS (test/edge/dockerfile.test.ts keeps them equal). The heap sizes go in
# NODE_OPTIONS, which a deployment may replace to size the heap to its pod; on the command line they would win over it.
ENV NODE_OPTIONS="--max-semi-space-size=8 --max-old-space-size=100"
ENTRYPOINT ["node", "--no-concurrent-recompilation", "dist/tools/outerpark.js"]
CMD ["serve", "musical"]
