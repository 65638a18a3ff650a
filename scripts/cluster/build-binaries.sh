#!/usr/bin/env bash
# Builds (or reuses from the version-keyed cache) kube-*, kubelet, kubectl, helm, CoreDNS and the pause binary.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/versions.sh"
export GOFLAGS=-mod=mod GOWORK=off CGO_ENABLED=0 GOTOOLCHAIN="${GOTOOLCHAIN:-auto}"
mkdir -p "$BIN_DIR"
log() { printf '[build %s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }

k8s_cmds="kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl"
need_k8s=0
for c in $k8s_cmds; do [ -x "$BIN_DIR/$c" ] || need_k8s=1; done
if [ "$need_k8s" = 1 ]; then
  log "kubernetes $K8S_VERSION: fetching the module and its staging modules from the Go module proxy"
  src_dir="$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')"
  [ -d "$src_dir" ] || { echo "cannot download k8s.io/kubernetes@$K8S_VERSION" >&2; exit 1; }
  work="$CLUSTER_CACHE/$K8S_VERSION/src"
  rm -rf "$work"; mkdir -p "$work"
  cp -a "$src_dir/." "$work/"; chmod -R u+w "$work"
  # go.mod replaces every k8s.io/<name> with ./staging/src/k8s.io/<name>, which module zips leave out.
  for name in $(sed -n 's#^\s*k8s.io/\([a-z0-9-]*\) => ./staging/src/k8s.io/.*#\1#p' "$work/go.mod"); do
    dest="$work/staging/src/k8s.io/$name"; mkdir -p "$dest"
    if dir="$(go mod download -json "k8s.io/$name@$K8S_STAGING_VERSION" 2>/dev/null | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')" && [ -d "$dir" ]; then
      cp -a "$dir/." "$dest/"; chmod -R u+w "$dest"
    else
      # Not served by the proxy (sample-cli-plugin, sample-controller) and not imported by the commands built.
      log "k8s.io/$name@$K8S_STAGING_VERSION not served: stub go.mod"
      printf 'module k8s.io/%s\n\ngo 1.25\n' "$name" >"$dest/go.mod"
    fi
  done
  ldflags="-s -w -X k8s.io/component-base/version.gitVersion=$K8S_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=37 -X k8s.io/component-base/version.gitTreeState=clean -X k8s.io/component-base/version.buildDate=1970-01-01T00:00:00Z -X k8s.io/client-go/pkg/version.gitVersion=$K8S_VERSION"
  log "kubernetes $K8S_VERSION: go build of $k8s_cmds (about 7 minutes on 2 cores when cold)"
  pkgs=""; for c in $k8s_cmds; do pkgs="$pkgs ./cmd/$c"; done
  (cd "$work" && go build -trimpath -ldflags "$ldflags" -o "$BIN_DIR/" $pkgs)
  rm -rf "$work"
  log "kubernetes built: $("$BIN_DIR/kubectl" version --client 2>/dev/null | head -1)"
fi

if [ ! -x "$BIN_DIR/helm" ]; then
  log "helm $HELM_VERSION: go install"
  GOBIN="$BIN_DIR" go install -trimpath -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=37" "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
fi
if [ ! -x "$BIN_DIR/coredns" ]; then
  log "CoreDNS $COREDNS_VERSION: go install"
  GOBIN="$BIN_DIR" go install -trimpath -ldflags "-s -w" "github.com/coredns/coredns@$COREDNS_VERSION"
fi
if [ ! -x "$BIN_DIR/pause" ]; then
  log "pause: Kubernetes' build/pause/linux/pause.c with gcc -static"
  src_dir="$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')"
  gcc -Os -static -o "$BIN_DIR/pause" -DVERSION="$K8S_VERSION" "$src_dir/build/pause/linux/pause.c"
  strip "$BIN_DIR/pause" || true
fi
log "binaries ready in $BIN_DIR"
