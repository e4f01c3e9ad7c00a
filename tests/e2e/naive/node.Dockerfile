# Naive single-stage baseline: the builder image, everything copied, all deps, installed
# with the project's own package manager.
ARG BUILDER
FROM $BUILDER
WORKDIR /app
COPY . .
RUN if [ -f bun.lock ] || [ -f bun.lockb ]; then bun install && (bun run build || true); \
    elif [ -f pnpm-lock.yaml ]; then corepack enable && pnpm install && pnpm run --if-present build; \
    elif [ -f yarn.lock ]; then corepack enable && yarn install && (yarn run build || true); \
    elif [ -f package-lock.json ]; then npm ci && npm run build --if-present; \
    else npm install && npm run build --if-present; fi
CMD ["npm", "start"]
