# python:3.13-slim-trixie stand-in: Debian's python3.13 with the official image's
# /usr/local/bin names, pip allowed to install system-wide like upstream, and the C
# headers the official image ships (packages such as psycopg2 compile against them).
FROM debian:trixie-slim
ARG PY_SERIES=3.13
RUN apt-get update \
 && apt-get install -y "python$PY_SERIES" "python$PY_SERIES-venv" "python$PY_SERIES-dev" python3-pip \
 && rm -rf /var/lib/apt/lists/* \
 && rm -f "/usr/lib/python$PY_SERIES/EXTERNALLY-MANAGED" \
 && ln -s "/usr/bin/python$PY_SERIES" /usr/local/bin/python3 \
 && ln -s python3 /usr/local/bin/python \
 && ln -s /usr/bin/pip3 /usr/local/bin/pip3 \
 && ln -s pip3 /usr/local/bin/pip \
 && python --version && pip --version
ENV LANG=C.UTF-8 PYTHON_VERSION=$PY_SERIES
CMD ["python3"]
