#!/usr/bin/env bash
# Builds a minimal Debian bookworm image from Debian's own packages, for hosts that reach
# no image registry: debootstrap into a folder, then import it into podman.
#
#   Deploy/container/base-image.sh [NAME]     # default localhost/tributary-debian:bookworm
#
# Kept between runs: an existing image of that name is left alone (delete it to rebuild).
set -euo pipefail
cd "$(dirname "$0")/../.."
name="${1:-localhost/tributary-debian:bookworm}"
export CONTAINERS_CONF="${CONTAINERS_CONF:-$PWD/Deploy/container/containers.conf}"

if podman image exists "$name"; then
    echo "base-image: $name present"
    exit 0
fi
command -v debootstrap >/dev/null || { echo "base-image: debootstrap is missing (apt-get install debootstrap)" >&2; exit 1; }
root="$(mktemp -d /var/tmp/tributary-rootfs.XXXXXX)"
trap 'rm -rf "$root"' EXIT
echo "base-image: debootstrap bookworm (minbase) into $root"
debootstrap --variant=minbase bookworm "$root" "${DEBIAN_MIRROR:-http://deb.debian.org/debian}" >"$root.log" 2>&1 \
    || { tail -20 "$root.log" >&2; exit 1; }
rm -f "$root.log"
# Slim, as Debian's -slim images are: apt's lists and caches are fetched again by every build,
# and documentation, manuals and translations are left out, now and in what is installed later.
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb "$root"/var/log/*.log
rm -rf "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/locale/*
cat >"$root/etc/dpkg/dpkg.cfg.d/slim" <<'CFG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
CFG
tar -C "$root" -c . | podman import --change 'CMD ["/bin/bash"]' - "$name" >/dev/null
echo "base-image: $name imported ($(podman image inspect "$name" --format '{{.Size}}' | numfmt --to=iec) )"
