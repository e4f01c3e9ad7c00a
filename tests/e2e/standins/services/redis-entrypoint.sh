#!/bin/sh
# The redis stand-in's entrypoint, after the official image's: options alone run
# redis-server; as root it gives /data to the redis user and runs itself again as that
# user; protected mode is off unless the arguments or the config file set it (the
# official image turns it off so that other containers can connect).
set -eu
if [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then
  set -- redis-server "$@"
fi
if [ "$1" = redis-server ] && [ "$(id -u)" = 0 ]; then
  find . \! -user redis -exec chown redis '{}' +
  exec setpriv --reuid=redis --regid=redis --init-groups "$0" "$@"
fi
if [ "$1" = redis-server ]; then
  set_here=no
  case " $* " in *protected-mode*) set_here=yes ;; esac
  if [ "${2:-}" ] && [ -f "$2" ] && grep -q '^[[:space:]]*protected-mode' "$2"; then set_here=yes; fi
  [ "$set_here" = yes ] || set -- "$@" --protected-mode no
fi
exec "$@"
