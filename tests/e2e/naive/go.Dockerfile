# Naive single-stage baseline: the builder image, everything copied.
ARG BUILDER
FROM $BUILDER
WORKDIR /src
COPY . .
RUN go build -o /usr/local/bin/app .
CMD ["app"]
