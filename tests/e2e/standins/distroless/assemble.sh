#!/bin/sh
# Copy the installed files of PACKAGES and their dependency closure (minus the
# shell and package tools) into OUT, then add the distroless skeleton.
# usage: assemble.sh OUT NODE_TGZ [PACKAGES...]
set -eu
out=$1
node_tgz=$2
shift 2
here=$(dirname "$0")
mkdir -p "$out"

# Never copied: shells, coreutils and the packaging machinery.
deny=" bash dash coreutils debconf dpkg perl-base libc-bin debianutils sed grep gzip tar
 findutils util-linux mount base-passwd login passwd sysvinit-utils init-system-helpers
 ncurses-bin mawk diffutils hostname bsdutils apt gpgv ca-certificates openssl "

pkgs="base-files netbase tzdata media-types $*"
closure=$(apt-cache depends --recurse --installed --no-recommends --no-suggests \
  --no-conflicts --no-breaks --no-replaces --no-enhances $pkgs | grep -v '^[ <]' | sed 's/:.*//' | sort -u)
list=$(mktemp)
for p in $closure; do
  case "$deny" in *" $p "*) continue ;; esac
  dpkg-query -W -f='${db:Status-Status}\n' "$p" 2>/dev/null | grep -qx installed || continue
  dpkg -L "$p"
done | sort -u | while read -r f; do
  if [ -L "$f" ] || { [ -f "$f" ] && [ ! -d "$f" ]; }; then
    case "$f" in /usr/share/doc/*|/usr/share/man/*|/usr/share/lintian/*) continue ;; esac
    printf '%s\n' "${f#/}"
  fi
done >"$list"

# Merged /usr, as in trixie: /lib64/ld-linux-x86-64.so.2 must resolve.
mkdir -p "$out/usr/bin" "$out/usr/sbin" "$out/usr/lib" "$out/usr/lib64"
for d in bin sbin lib lib64; do ln -sfn "usr/$d" "$out/$d"; done
tar -C / -cf - --no-recursion -T "$list" | tar -C "$out" -xf - --keep-directory-symlink
rm "$list"

mkdir -p "$out/etc/ssl/certs" "$out/tmp" "$out/root" "$out/home/nonroot" "$out/var/lib"
cp /etc/ssl/certs/ca-certificates.crt "$out/etc/ssl/certs/ca-certificates.crt"
cp "$here/passwd" "$out/etc/passwd"
cp "$here/group" "$out/etc/group"
cp "$here/nsswitch.conf" "$out/etc/nsswitch.conf"
chmod 1777 "$out/tmp"
chmod 700 "$out/root"
chown 65532:65532 "$out/home/nonroot"

if [ -n "$node_tgz" ]; then
  mkdir -p "$out/nodejs"
  tar -xzf "/dl/$node_tgz" -C "$out/nodejs" --strip-components=1 --no-same-owner package/bin/node
fi
if [ -e "$out/usr/bin/python3.13" ]; then
  ln -sf python3.13 "$out/usr/bin/python3"
fi

for sh in bin/sh bin/bash bin/dash usr/bin/sh usr/bin/bash usr/bin/dash; do
  if [ -e "$out/$sh" ] || [ -L "$out/$sh" ]; then
    echo "assemble.sh: a shell slipped into the image: /$sh" >&2
    exit 1
  fi
done
