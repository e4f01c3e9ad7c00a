# oven/bun:1-slim stand-in: bun from the npm package @oven/bun-linux-x64, user `bun`.
FROM debian:trixie-slim
ARG BUN_VERSION
ARG BUN_TGZ
RUN groupadd --gid 1000 bun \
 && useradd --uid 1000 --gid bun --shell /bin/sh --create-home bun
RUN --mount=type=bind,source=dl,target=/dl \
    tar -xzf "/dl/$BUN_TGZ" -C /usr/local/bin --strip-components=2 --no-same-owner package/bin/bun \
 && chmod 755 /usr/local/bin/bun \
 && ln -s bun /usr/local/bin/bunx \
 && bun --version
ENV BUN_VERSION=$BUN_VERSION BUN_RUNTIME_TRANSPILER_CACHE_PATH=0 BUN_INSTALL_BIN=/usr/local/bin
WORKDIR /home/bun/app
CMD ["/usr/local/bin/bun"]
