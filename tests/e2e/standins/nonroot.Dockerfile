# The `:nonroot` variant of a distroless stand-in.
ARG BASE
FROM $BASE
USER 65532:65532
WORKDIR /home/nonroot
