# syntax=docker/dockerfile:1

# Build: compile the TypeScript sources to dist/ (the sandbox is left out: see tsconfig.build.json).
# The workspace manifests are copied only because the lockfile names them; their code stays out.
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY clients/typescript/package.json clients/typescript/
COPY emulators/compute-engine/package.json emulators/compute-engine/
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# Production dependencies only (no compiler, linters or test tools).
FROM node:24-slim AS dependencies
WORKDIR /app
COPY package.json package-lock.json ./
COPY clients/typescript/package.json clients/typescript/
COPY emulators/compute-engine/package.json emulators/compute-engine/
RUN npm ci --omit=dev --workspaces=false --include-workspace-root --no-audit --no-fund

# Runtime: distroless Node.js 24 as a non-root user; nothing in it is written to at run time, so
# the root filesystem can be read-only. SIGTERM drains in-flight requests and releases the lease.
FROM gcr.io/distroless/nodejs24-debian12:nonroot
WORKDIR /app
ENV NODE_ENV=production
COPY --from=dependencies /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
USER nonroot
EXPOSE 8080
CMD ["dist/server.js"]
