# Naive single-stage baseline: the builder image, everything copied, all deps.
ARG BUILDER
FROM $BUILDER
WORKDIR /app
COPY . .
RUN npm ci && npm run build --if-present
CMD ["npm", "start"]
