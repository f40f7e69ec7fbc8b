# zi-tracker API image: Node 24 LTS, compiled TypeScript, production dependencies only.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# The typed client is an npm workspace (packages/client): npm ci needs its manifest.
COPY packages/client/package.json ./packages/client/
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY scripts ./scripts
RUN npm run build

FROM node:24-bookworm-slim
ENV NODE_ENV=production PORT=3000 DATA_DIR=/data
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/client/package.json ./packages/client/
RUN npm ci --omit=dev && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY migrations ./migrations
# Data files read at run time (tsc does not copy JSON/xlsx into dist/): the seeded LKE instrument
# and the official workbook template with its row map.
COPY src/modules/instruments/seed/*.json ./src/modules/instruments/seed/
COPY src/modules/workbook/template ./src/modules/workbook/template
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --retries=5 CMD node -e "fetch('http://127.0.0.1:3000/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# V8 sizes its heap growth by this limit: with the default (a share of the host's memory) garbage
# from concurrent requests piles up to 300+ MB before a full collection; at 384 MB the server stays
# under 200 MB under load with the same throughput (BENCHMARKS.md). The live heap is ~45 MB.
ENV NODE_OPTIONS=--max-old-space-size=384
CMD ["node", "dist/src/server.js"]
