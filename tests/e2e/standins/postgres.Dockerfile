# postgres:17-alpine stand-in (the tag compose.yaml names; built on Debian, not Alpine):
# Debian's postgresql-17 with the official image's interface. POSTGRES_USER,
# POSTGRES_PASSWORD and POSTGRES_DB initialise PGDATA (/var/lib/postgresql/data) on
# first start; postgres then runs as the `postgres` user, and SIGINT (the official
# image's STOPSIGNAL) is a fast shutdown. pg_isready and psql are on PATH. A UTF-8
# locale, as upstream sets, makes new databases UTF8 (the C locale gives SQL_ASCII, and
# psycopg 3 then returns bytes where SQLAlchemy expects text).
FROM debian:trixie-slim
ARG PG_MAJOR=17
# No cluster at install time (the entrypoint makes one in PGDATA), as upstream does.
RUN apt-get update \
 && apt-get install -y postgresql-common \
 && sed -ri 's/^#?\s*create_main_cluster\b.*$/create_main_cluster = false/' /etc/postgresql-common/createcluster.conf \
 && apt-get install -y "postgresql-$PG_MAJOR" \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /var/run/postgresql /var/lib/postgresql/data /docker-entrypoint-initdb.d \
 && chown -R postgres:postgres /var/run/postgresql /var/lib/postgresql \
 && chmod 3777 /var/run/postgresql \
 && "/usr/lib/postgresql/$PG_MAJOR/bin/postgres" --version
ENV LANG=C.UTF-8 \
    PG_MAJOR=$PG_MAJOR \
    PATH=/usr/lib/postgresql/$PG_MAJOR/bin:$PATH \
    PGDATA=/var/lib/postgresql/data
COPY --chmod=755 standins/services/postgres-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
VOLUME /var/lib/postgresql/data
ENTRYPOINT ["docker-entrypoint.sh"]
STOPSIGNAL SIGINT
EXPOSE 5432
CMD ["postgres"]
