# Naive single-stage baseline: the builder image, everything copied.
ARG BUILDER
FROM $BUILDER
WORKDIR /src
COPY . .
# Every main package (a module may keep them under cmd/).
RUN go build -o /usr/local/bin/ ./...
