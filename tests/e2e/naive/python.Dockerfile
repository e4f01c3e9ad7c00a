# Naive single-stage baseline: the builder image, everything copied.
ARG BUILDER
FROM $BUILDER
WORKDIR /app
COPY . .
RUN if [ -f requirements.txt ]; then pip install -r requirements.txt; else pip install .; fi
CMD ["python", "app.py"]
