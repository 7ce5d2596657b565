# syntax=docker/dockerfile:1
# One image per Waybill service, chosen at build time:
#
#   docker build --build-arg SERVICE=order -t waybill-order .
#
# The compiled code of all five services is in every image (it is small); SERVICE only sets the
# default entry point, so `-e SERVICE=payment` runs another one from the same image. Arguments go to
# the service: `docker run … waybill-order migrate` runs its migrations and exits (the k8s Job).

ARG NODE_IMAGE=node:20-bookworm-slim

# --- every dependency, patched: `npm ci` runs the postinstall hook (patch-package), so patches/ must
# be in place first, and only the manifests are copied so this layer survives source changes.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm ci --no-audit --no-fund

# --- tsc to dist/: the same `npm run build` as on a developer's machine.
FROM deps AS build
COPY tsconfig.json tsconfig.build.json ./
COPY libs ./libs
COPY services ./services
RUN npm run build

# --- production dependencies only. Pruning the patched tree (not a second `npm ci --omit=dev`)
# keeps the kafkajs patch: patch-package is a devDependency, so a production-only install could not
# apply it.
FROM deps AS prod-deps
RUN npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
ARG SERVICE=order
ENV NODE_ENV=production \
    SERVICE=${SERVICE}
WORKDIR /app
COPY --from=prod-deps /app/package.json ./package.json
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY deploy/docker/entrypoint.sh deploy/docker/healthcheck.js ./deploy/docker/
# tsc leaves `require('@waybill/eventing')` as written. Instead of a path-mapping loader at run time,
# each lib's compiled folder is linked in as a package, so plain `node` resolves them (including deep
# imports such as @waybill/platform/x) the way the TypeScript path aliases do.
RUN mkdir -p node_modules/@waybill \
 && for lib in contracts eventing platform; do ln -s "../../dist/libs/${lib}/src" "node_modules/@waybill/${lib}"; done \
 && chmod 0755 deploy/docker/entrypoint.sh
# Files stay root-owned and read-only to the service: it writes nothing to disk, so the root file
# system can be mounted read-only. A numeric user lets Kubernetes check runAsNonRoot.
USER 1000:1000
EXPOSE 3001 3002 3003 3004
# The services close consumers, the relay and the pool on SIGTERM (enableShutdownHooks); the
# entrypoint execs node, so the signal reaches it.
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 CMD ["node", "deploy/docker/healthcheck.js"]
ENTRYPOINT ["/app/deploy/docker/entrypoint.sh"]
