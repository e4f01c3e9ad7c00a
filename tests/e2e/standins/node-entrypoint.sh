#!/bin/sh
# Run node when the first argument is an option or not a command (`server.js`).
set -e
if [ "${1#-}" != "$1" ] || ! command -v "$1" >/dev/null 2>&1; then
  set -- node "$@"
fi
exec "$@"
