# gcr.io/distroless/*-debian13 stand-ins assembled from trixie packages with the
# upstream layout: no shell, nonroot (65532) and root in /etc/passwd, CA bundle,
# tzdata. Targets: plain (static/base/cc), nodejs, python3, nonroot (any of them).
FROM debian:trixie-slim AS assemble
ARG PACKAGES=""
ARG NODE_TGZ=""
RUN if [ -n "$PACKAGES" ]; then \
      apt-get update && apt-get install -y $PACKAGES && rm -rf /var/lib/apt/lists/*; \
    fi
COPY standins/distroless/ /opt/distroless/
RUN --mount=type=bind,source=dl,target=/dl \
    sh /opt/distroless/assemble.sh /out "$NODE_TGZ" $PACKAGES

FROM scratch AS plain
COPY --from=assemble /out/ /
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
    NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt \
    PIP_CERT=/etc/ssl/certs/ca-certificates.crt \
    REQUESTS_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt

FROM plain AS nodejs
ENTRYPOINT ["/nodejs/bin/node"]

FROM plain AS python3
ENV LANG=C.UTF-8
ENTRYPOINT ["/usr/bin/python3.13"]
