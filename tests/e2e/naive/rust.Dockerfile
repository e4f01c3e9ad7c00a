# Naive single-stage baseline: the builder image, everything copied.
ARG BUILDER
FROM $BUILDER
# What the project links against (a fixture's `naive_packages`), as a user would add it.
ARG PACKAGES=""
# hadolint ignore=DL3008
RUN if [ -n "$PACKAGES" ]; then apt-get update && apt-get install -y --no-install-recommends $PACKAGES; fi
WORKDIR /src
COPY . .
RUN cargo build --release
CMD ["cargo", "run", "--release"]
