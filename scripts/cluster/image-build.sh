#!/usr/bin/env bash
# npm run image:build — builds the repository's Dockerfile with buildah (vfs storage, chroot isolation; no
# registry: the FROM image is made locally by image-base.sh) and imports it into the cluster's containerd.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/versions.sh"
repo="$(cd "$here/../.." && pwd)"
log() { printf '[image %s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }
t0=$SECONDS
command -v buildah >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends buildah debootstrap >/dev/null; }
version="$(node -p "require('$repo/package.json').version")"
revision="$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)"
IMAGE="${IMAGE:-docker.io/library/airflow-mcp:$version}"
bash "$here/image-base.sh"

# Build-time only: where the machine's outbound TLS is re-signed by a local CA, npm ci inside the build
# must trust that CA. Mounted for RUN steps; nothing of it lands in the image.
mounts=()
cafile="$(npm config get cafile 2>/dev/null || true)"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
if [ -n "$cafile" ] && [ "$cafile" != "null" ] && [ -f "$cafile" ]; then
  cp "$cafile" "$tmp/ca.crt"; printf 'cafile=/run/build-ca/ca.crt\n' >"$tmp/npmrc"
  # npm reads $PREFIX/etc/npmrc as its global config (node lives in /usr/local).
  mounts+=(-v "$tmp:/run/build-ca:ro" -v "$tmp/npmrc:/usr/local/etc/npmrc:ro")
fi
log "buildah bud -f Dockerfile -t $IMAGE (vfs, chroot isolation)"
"${BUILDAH[@]}" bud --format docker --isolation chroot --network host --layers=false "${mounts[@]}" \
  --build-arg "VERSION=$version" --build-arg "REVISION=$revision" \
  -f "$repo/Dockerfile" -t "$IMAGE" "$repo"
out="${IMAGE_TAR:-$CLUSTER_CACHE/images/airflow-mcp-$version.docker.tar}"
mkdir -p "$(dirname "$out")"; rm -f "$out"
"${BUILDAH[@]}" push "$IMAGE" "docker-archive:$out:$IMAGE" >/dev/null 2>&1
log "image archive: $out ($(du -h "$out" | cut -f1))"
# vfs keeps a full copy per layer: drop the build stage and earlier builds of this tag.
"${BUILDAH[@]}" rmi --prune >/dev/null 2>&1 || true
if ctr --address "$CLUSTER_RUN/containerd.sock" version >/dev/null 2>&1; then
  # Re-importing over an existing name fails in containerd 1.6 ("content digest ... not found"): replace it.
  ctr --address "$CLUSTER_RUN/containerd.sock" -n k8s.io images rm "$IMAGE" >/dev/null 2>&1 || true
  ctr --address "$CLUSTER_RUN/containerd.sock" -n k8s.io images import --index-name "$IMAGE" "$out" >/dev/null
  log "imported into the cluster's containerd as $IMAGE"
else
  log "cluster not running: import skipped (npm run cluster:up, then run this again)"
fi
log "done in $((SECONDS - t0)) s"
