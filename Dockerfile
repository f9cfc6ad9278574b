# SampleTrack platform: HTTP API + dashboard (3000), embedded MQTT broker (1884, WebSocket 8884),
# ingest and the demo fleet, in one process. See docs/operations.md.
FROM node:24-bookworm-slim

WORKDIR /app
RUN chown node:node /app
USER node

# Dependencies first, so code changes don't reinstall them. Dev dependencies are kept:
# the platform runs TypeScript through tsx, and vite builds the dashboard.
COPY --chown=node:node package.json package-lock.json .npmrc ./
RUN npm ci && npm cache clean --force

COPY --chown=node:node . .
RUN npm run build:dashboard && mkdir -p /app/data

ENV NODE_ENV=production \
    DATA_DIR=/app/data \
    HTTP_HOST=0.0.0.0 \
    MQTT_HOST=0.0.0.0
EXPOSE 3000 1884 8884
VOLUME ["/app/data"]

HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=5 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.HTTP_PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"

CMD ["npx", "tsx", "platform/main.ts"]
