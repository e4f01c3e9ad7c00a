# redis:7-alpine stand-in (the tag compose.yaml names; built on Debian, whose trixie
# ships Redis 8.0): redis-server and redis-cli with the official image's interface.
# Data in /data (the working directory), the server runs as the `redis` user, listens
# on every interface without protected mode, and saves and exits on SIGTERM.
FROM debian:trixie-slim
RUN apt-get update \
 && apt-get install -y redis-server \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /data \
 && chown redis:redis /data \
 && redis-server --version
COPY --chmod=755 standins/services/redis-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
VOLUME /data
WORKDIR /data
ENTRYPOINT ["docker-entrypoint.sh"]
EXPOSE 6379
CMD ["redis-server"]
