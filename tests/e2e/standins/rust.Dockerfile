# rust:<version>-slim-trixie stand-in: Debian's rustc-web/cargo-web, exposed under
# /usr/local/cargo/bin like the official image.
FROM debian:trixie-slim
ARG RUST_VERSION
RUN apt-get update \
 && apt-get install -y rustc-web cargo-web gcc libc6-dev \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /usr/local/cargo/bin /usr/local/rustup \
 && for b in cargo rustc rustdoc; do ln -s "/usr/bin/$b" "/usr/local/cargo/bin/$b"; done \
 && chmod -R a+w /usr/local/cargo \
 && cargo --version && rustc --version
ENV RUST_VERSION=$RUST_VERSION RUSTUP_HOME=/usr/local/rustup CARGO_HOME=/usr/local/cargo PATH=/usr/local/cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
