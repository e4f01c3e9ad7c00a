# Naive single-stage baseline: the builder image, everything copied, the dependencies
# installed the way each tool's README starts (`--ignore-installed`: the stand-in's Python
# is Debian's, whose own packages pip cannot uninstall). A uv workspace root has no
# project of its own to `pip install .`: `uv sync --all-packages` installs every member
# with the image's Python.
ARG BUILDER
FROM $BUILDER
# What the project compiles against (a fixture's `naive_packages`), as a user would add it.
ARG PACKAGES=""
RUN if [ -n "$PACKAGES" ]; then apt-get update && apt-get install -y --no-install-recommends $PACKAGES; fi
WORKDIR /app
COPY . .
RUN if [ -f requirements.txt ]; then pip install -r requirements.txt; \
    elif [ -f poetry.lock ]; then pip install --ignore-installed poetry poetry-plugin-export \
      && poetry export --only main -f requirements.txt -o /tmp/requirements.txt \
      && pip install -r /tmp/requirements.txt; \
    elif [ -f Pipfile ]; then pip install --ignore-installed pipenv && python -m venv /opt/venv && VIRTUAL_ENV=/opt/venv pipenv install; \
    elif [ -f uv.lock ] && grep -q '^\[tool\.uv\.workspace\]' pyproject.toml; then pip install --ignore-installed uv \
      && UV_PYTHON=python3 UV_PYTHON_DOWNLOADS=never UV_PROJECT_ENVIRONMENT=/opt/venv uv sync --frozen --no-dev --all-packages; \
    else pip install .; fi
CMD ["python", "app.py"]
