# syntax=docker/dockerfile:1
# Converge: the GitHub App and its deploy agent in one image.
# Build: docker build -t converge .   Run: see docs/operations.md
ARG NODE_IMAGE=node:20-bookworm-slim

# 1. Build: compile TypeScript, then drop dev dependencies.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json ./
COPY bin ./bin
COPY src ./src
# --ignore-scripts: no install scripts (ours would run "prepare", i.e. the build,
# before it is asked for); the build runs explicitly, then dev dependencies go.
RUN npm ci --ignore-scripts && npm run build && npm prune --omit=dev

# 2. kubectl (v1.32, with built-in kustomize) renders kustomizations at runtime.
FROM ${NODE_IMAGE} AS kubectl
ARG KUBECTL_VERSION=v1.32.4
# No default here: BuildKit sets TARGETARCH per --platform, but a declared
# default would win over it (an arm64 image with an amd64 kubectl). The legacy
# builder leaves it empty: amd64.
ARG TARGETARCH
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && arch="${TARGETARCH:-amd64}" \
 && curl -fsSLo /tmp/kubectl "https://dl.k8s.io/release/${KUBECTL_VERSION}/bin/linux/${arch}/kubectl" \
 && curl -fsSLo /tmp/kubectl.sha256 "https://dl.k8s.io/release/${KUBECTL_VERSION}/bin/linux/${arch}/kubectl.sha256" \
 && echo "$(cat /tmp/kubectl.sha256)  /tmp/kubectl" | sha256sum --check \
 && install -m 0755 /tmp/kubectl /usr/local/bin/kubectl

# 3. Runtime: production dependencies only, non-root.
FROM ${NODE_IMAGE} AS runtime
# HOST: Probot's server binds to "localhost" unless told otherwise, which no
# port mapping or Kubernetes Service can reach.
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    NO_SMEE_SETUP=true
WORKDIR /app
COPY --from=kubectl /usr/local/bin/kubectl /usr/local/bin/kubectl
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist/src ./dist/src
COPY package.json app.yml ./
COPY bin ./bin
# The image's "node" user, by number: Kubernetes' runAsNonRoot cannot verify a name.
USER 1000:1000
EXPOSE 3000
# /healthz answers as soon as the process serves HTTP (see docs/operations.md).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "bin/start.js"]
