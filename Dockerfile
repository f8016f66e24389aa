# Sealbox server image. Build, with the organisation fingerprint baked into the page
# (docs/operations.md, "The page"; the server refuses a page pinned to another one):
#   docker build --build-arg SEALBOX_ORG_FINGERPRINT=XXXX-... [--build-arg SEALBOX_EXIT_URL=https://...] [--build-arg SEALBOX_PAGE_TITLE=...] -t sealbox .
# Run with a read-only root filesystem and one writable volume:
#   docker run --read-only --tmpfs /tmp -v sealbox-data:/data -p 3000:3000 sealbox
# Migrations run on start (SEALBOX_MIGRATE_ON_START, default on); to run them
# on their own: docker run --rm -v sealbox-data:/data sealbox node --import tsx server/bin/migrate.ts
# The demo keys made on a first start without SEALBOX_ORG_FINGERPRINT protect
# nothing: configure the organisation as docs/operations.md says. For them the
# server builds a page (saying DEMO) into /data/demo/web, hence web/ in the image.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY client-crypto ./client-crypto
COPY web ./web
# Empty arguments pin nothing: that page seals nothing (a DEMO start builds its own).
ARG SEALBOX_ORG_FINGERPRINT=
ARG SEALBOX_EXIT_URL=
ARG SEALBOX_PAGE_TITLE=
RUN npm run build:web && npm prune --omit=dev --ignore-scripts

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    SEALBOX_DATA_DIR=/data \
    TSX_DISABLE_CACHE=1
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY web ./web
COPY --from=build /app/web/dist ./web/dist
COPY package.json tsconfig.json ./
COPY client-crypto ./client-crypto
COPY server ./server
COPY migrations ./migrations
RUN mkdir -p /data && chown node:node /data
# The image's own unprivileged user; nothing under /app is writable by it.
USER node
VOLUME ["/data"]
EXPOSE 3000
# No curl in the slim image: Node fetches /healthz itself.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "--import", "tsx", "server/bin/main.ts"]
