# golang:<series>-trixie stand-in: Debian's golang-<series> linked at /usr/local/go,
# gcc and friends like the official image. GO_SUITE picks trixie or trixie-backports.
FROM debian:trixie-slim
ARG GO_SERIES
ARG GO_SUITE=trixie
RUN if [ "$GO_SUITE" != trixie ]; then \
      sed -n "s/^\(deb [^ ]* \)trixie main\$/\1$GO_SUITE main/p" /etc/apt/sources.list \
        >/etc/apt/sources.list.d/$GO_SUITE.list; \
    fi \
 && apt-get update \
 && apt-get install -y -t "$GO_SUITE" "golang-$GO_SERIES-go" \
 && apt-get install -y gcc libc6-dev make pkg-config git \
 && rm -rf /var/lib/apt/lists/* \
 && ln -s "/usr/lib/go-$GO_SERIES" /usr/local/go \
 && mkdir -p /go/src /go/bin && chmod -R 1777 /go \
 && /usr/local/go/bin/go version
ENV GOTOOLCHAIN=local GOPATH=/go PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
WORKDIR /go
