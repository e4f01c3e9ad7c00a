# Naive single-stage baseline: the builder image, everything copied.
ARG BUILDER
FROM $BUILDER
WORKDIR /src
COPY . .
RUN cargo build --release
CMD ["cargo", "run", "--release"]
