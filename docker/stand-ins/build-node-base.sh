#!/usr/bin/env bash
# Builds a STAND-IN for the `node:20-bookworm-slim` base image where Docker Hub cannot be reached (CI, offline
# machines): a minimal Debian 12 made with `debootstrap` from Debian's packages, plus this machine's Node.js (its
# `node` binary, npm and headers; Node >= 20.19 as package.json requires) and a `node` user with uid 1000 as in
# the real image. It is tagged `node:20-bookworm-slim` and labelled `org.zhiku.stand-in=debootstrap`.
# Nothing is done when an image of that name exists already (the real one or a stand-in from an earlier run), so
# the slow debootstrap (about 2 minutes) runs once per machine.
# Usage: bash docker/stand-ins/build-node-base.sh      (as root, with a running Docker engine)
set -euo pipefail

image="node:20-bookworm-slim"
log() { echo "[stand-in node] $*"; }

if docker image inspect "$image" >/dev/null 2>&1; then
  kind="$(docker image inspect -f '{{ index .Config.Labels "org.zhiku.stand-in" }}' "$image" 2>/dev/null || true)"
  log "$image exists already (${kind:+stand-in made by $kind}${kind:-not a stand-in}); nothing to build"
  exit 0
fi

node_bin="$(command -v node)"
node_version="$("$node_bin" --version)"
node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' \
  || { log "this machine's Node.js is $node_version; the stand-in needs Node >= 20.19"; exit 1; }
npm_dir="$(cd "$(dirname "$(readlink -f "$(command -v npm)")")/.." && pwd)"
node_prefix="$(cd "$(dirname "$(readlink -f "$node_bin")")/.." && pwd)"
[ -f "$npm_dir/package.json" ] || { log "npm not found beside $node_bin"; exit 1; }
[ -d "$node_prefix/include/node" ] || { log "Node.js headers not found in $node_prefix/include/node"; exit 1; }

if ! command -v debootstrap >/dev/null; then
  log "installing debootstrap (Debian package)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
fi

rootfs="$(mktemp -d "${TMPDIR:-/tmp}/zhiku-node-base.XXXXXX")"
trap 'rm -rf "$rootfs"' EXIT
log "debootstrap --variant=minbase bookworm (Debian's packages; about 2 minutes)"
debootstrap --variant=minbase bookworm "$rootfs" >"$rootfs.log" 2>&1 || { tail -n 20 "$rootfs.log"; exit 1; }
rm -f "$rootfs.log"

log "adding this machine's Node.js $node_version and npm $(npm --version)"
install -m 755 "$(readlink -f "$node_bin")" "$rootfs/usr/local/bin/node"
mkdir -p "$rootfs/usr/local/lib/node_modules" "$rootfs/usr/local/include" "$rootfs/usr/local/etc"
cp -a "$npm_dir" "$rootfs/usr/local/lib/node_modules/npm"
cp -a "$node_prefix/include/node" "$rootfs/usr/local/include/node"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
chroot "$rootfs" /bin/sh -c 'groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node'
# The real image's node-gyp downloads headers when no prebuilt binary fits; the stand-in has them in place.
# This machine's CA bundle goes in too: where the way out to the npm registry re-signs TLS, npm in the image then
# trusts what npm on this machine trusts.
printf 'nodedir=/usr/local\nupdate-notifier=false\ncafile=/etc/ssl/certs/ca-certificates.crt\n' >"$rootfs/usr/local/etc/npmrc"
mkdir -p "$rootfs/etc/ssl/certs"
cp /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/ca-certificates.crt"
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*

log "importing it as $image"
tar -C "$rootfs" -c . | docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change "ENV NODE_VERSION=${node_version#v}" \
  --change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' \
  --change 'LABEL org.zhiku.stand-in=debootstrap' \
  --change 'CMD ["node"]' \
  - "$image" >/dev/null
log "done: $(docker image inspect -f '{{ .Size }}' "$image" | awk '{ printf "%.0f MB", $1 / 1e6 }')"
