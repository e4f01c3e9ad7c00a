#!/bin/sh
# Turn a `debootstrap --variant=minbase` tree into the debian:trixie-slim stand-in:
# slim dpkg excludes (like the official image), apt lists/archives removed, the
# host's CA bundle installed as the system bundle (the network intercepts TLS).
# usage: debian-rootfs.sh ROOTFS CA_BUNDLE
set -eu
root=$1
ca=$2

# Keep the sources debootstrap wrote (its default mirror) and add the updates suite.
src="$root/etc/apt/sources.list"
sed -n 's/^\(deb [^ ]* trixie\) main$/\1-updates main/p' "$src" >"$src.updates"
cat "$src.updates" >>"$src"
rm "$src.updates"

cat >"$root/etc/dpkg/dpkg.cfg.d/dockform-e2e-slim" <<'CFG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
path-exclude /usr/share/lintian/*
CFG
cat >"$root/etc/apt/apt.conf.d/dockform-e2e-slim" <<'CFG'
APT::Install-Recommends "false";
APT::Install-Suggests "false";
CFG
# Named like the official image's file so `rm -f .../docker-clean` (to use an apt
# cache mount) works the same: downloaded .debs are not kept in the image.
cat >"$root/etc/apt/apt.conf.d/docker-clean" <<'CFG'
APT::Keep-Downloaded-Packages "false";
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
CFG

find "$root/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete 2>/dev/null || true
find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete 2>/dev/null || true
rm -rf "$root/usr/share/man/"* "$root/usr/share/info/"* "$root/usr/share/lintian/"*
find "$root/usr/share/locale" -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} + 2>/dev/null || true
rm -rf "$root/var/cache/apt/"*.bin "$root/var/cache/apt/archives/"*.deb "$root/var/lib/apt/lists/"*
rm -f "$root/var/log/"*.log "$root/var/log/apt/"* "$root/etc/hostname" "$root/etc/resolv.conf"

mkdir -p "$root/etc/ssl/certs" "$root/usr/local/share/ca-certificates"
cp "$ca" "$root/etc/ssl/certs/ca-certificates.crt"
# If a Dockerfile installs ca-certificates, update-ca-certificates keeps these.
cp "$ca" "$root/usr/local/share/ca-certificates/dockform-e2e-host.crt"
chmod 644 "$root/etc/ssl/certs/ca-certificates.crt" "$root/usr/local/share/ca-certificates/dockform-e2e-host.crt"
