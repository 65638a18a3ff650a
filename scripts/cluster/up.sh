#!/usr/bin/env bash
# npm run cluster:up — a real single-node Kubernetes on this machine: etcd, containerd, the control plane,
# kubelet, kube-proxy (iptables) and CoreDNS; builds or reuses the binaries, waits for the node to be Ready.
set -euo pipefail
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"
[ "$(id -u)" = 0 ] || die "needs root (network, mounts, containerd)"
t0=$SECONDS

need=""
for b in etcd containerd runc iptables openssl gcc buildah conntrack; do command -v "$b" >/dev/null || need=1; done
[ -x /usr/lib/cni/bridge ] || need=1
if [ -n "$need" ]; then
  log "installing Debian packages: $DEBIAN_PACKAGES"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $DEBIAN_PACKAGES >/dev/null
fi
bash "$here/build-binaries.sh"

mkdir -p "$CLUSTER_STATE"/{logs,etcd,kubelet,pod-logs,cni/net.d,cni/ipam,containerd} "$CLUSTER_RUN/pids"
bash "$here/certs.sh"

# Network: an empty bridge holds the node IP (no dummy links here); nothing from pods leaves by the uplink.
if ! ip link show "$NODE_BRIDGE" >/dev/null 2>&1; then
  ip link add "$NODE_BRIDGE" type bridge
  ip addr add "$NODE_IP/32" dev "$NODE_BRIDGE"
  ip link set "$NODE_BRIDGE" up
fi
[ -f "$CLUSTER_STATE/sysctl.saved" ] || {
  echo "ip_forward=$(cat /proc/sys/net/ipv4/ip_forward)" >"$CLUSTER_STATE/sysctl.saved"
  [ -f /proc/sys/net/bridge/bridge-nf-call-iptables ] && echo "bridge_nf=$(cat /proc/sys/net/bridge/bridge-nf-call-iptables)" >>"$CLUSTER_STATE/sysctl.saved"
}
echo 1 >/proc/sys/net/ipv4/ip_forward
[ -f /proc/sys/net/bridge/bridge-nf-call-iptables ] && echo 1 >/proc/sys/net/bridge/bridge-nf-call-iptables
up="$(uplink)"
if [ -n "$up" ] && ! iptables -C FORWARD -s "$CLUSTER_CIDR" -o "$up" -m comment --comment "$IPT_COMMENT" -j DROP 2>/dev/null; then
  iptables -I FORWARD 1 -s "$CLUSTER_CIDR" -o "$up" -m comment --comment "$IPT_COMMENT" -j DROP
fi
[ -n "$(ls "$CLUSTER_STATE/netns.before" 2>/dev/null)" ] || ls /var/run/netns/ 2>/dev/null >"$CLUSTER_STATE/netns.before" || true

# overlayfs when this kernel lets us mount it, else containerd's native snapshotter.
if [ -z "${SNAPSHOTTER:-}" ]; then
  probe="$(mktemp -d)"; mkdir -p "$probe"/{l,u,w,m}
  if mount -t overlay overlay -o "lowerdir=$probe/l,upperdir=$probe/u,workdir=$probe/w" "$probe/m" 2>/dev/null; then
    umount "$probe/m"; SNAPSHOTTER=overlayfs; else SNAPSHOTTER=native; fi
  rm -rf "$probe"
fi
export SNAPSHOTTER
render "$here/config/containerd.toml" "$CLUSTER_STATE/containerd.toml"
render "$here/config/cni.conflist" "$CLUSTER_STATE/cni/net.d/10-amcp.conflist"
render "$here/config/kubelet.yaml" "$CLUSTER_STATE/kubelet.yaml"
render "$here/config/kube-proxy.yaml" "$CLUSTER_STATE/kube-proxy.yaml"
render "$here/config/Corefile" "$CLUSTER_STATE/Corefile"

log "etcd, containerd ($SNAPSHOTTER snapshotter)"
start etcd etcd --name amcp --data-dir "$CLUSTER_STATE/etcd" \
  --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
  --listen-peer-urls "http://127.0.0.1:$((ETCD_PORT + 10))" --initial-advertise-peer-urls "http://127.0.0.1:$((ETCD_PORT + 10))" \
  --initial-cluster "amcp=http://127.0.0.1:$((ETCD_PORT + 10))" --quota-backend-bytes 2147483648
start containerd containerd --config "$CLUSTER_STATE/containerd.toml"
wait_for 60 "etcd answering on 127.0.0.1:$ETCD_PORT" curl -sf "http://127.0.0.1:$ETCD_PORT/health"
wait_for 60 "containerd answering on $CLUSTER_RUN/containerd.sock" ctr_k8s version

# The pause image: Kubernetes' own pause.c, built static, tagged as the sandbox image (no registry).
if ! ctr_k8s images ls -q | grep -qx "$PAUSE_IMAGE"; then
  log "pause image $PAUSE_IMAGE from $BIN_DIR/pause"
  pause_tar="$CLUSTER_CACHE/$K8S_VERSION/pause-oci.tar"
  if [ ! -f "$pause_tar" ]; then
    c="$("${BUILDAH[@]}" from scratch)"
    "${BUILDAH[@]}" copy "$c" "$BIN_DIR/pause" /pause >/dev/null
    "${BUILDAH[@]}" config --entrypoint '["/pause"]' --user 65535:65535 --os linux --arch amd64 "$c"
    "${BUILDAH[@]}" commit --rm "$c" "$PAUSE_IMAGE" >/dev/null
    "${BUILDAH[@]}" push "$PAUSE_IMAGE" "oci-archive:$pause_tar:$PAUSE_IMAGE" >/dev/null 2>&1
  fi
  ctr_k8s images import --index-name "$PAUSE_IMAGE" "$pause_tar" >/dev/null
fi

log "kube-apiserver, kube-controller-manager, kube-scheduler"
pki="$CLUSTER_STATE/pki"
start kube-apiserver kube-apiserver --etcd-servers "http://127.0.0.1:$ETCD_PORT" \
  --bind-address "$NODE_IP" --advertise-address "$NODE_IP" --secure-port 6443 \
  --service-cluster-ip-range "$SERVICE_CIDR" --allow-privileged=true \
  --authorization-mode Node,RBAC --enable-admission-plugins NodeRestriction \
  --client-ca-file "$pki/ca.crt" --tls-cert-file "$pki/apiserver.crt" --tls-private-key-file "$pki/apiserver.key" \
  --kubelet-client-certificate "$pki/apiserver-kubelet-client.crt" --kubelet-client-key "$pki/apiserver-kubelet-client.key" \
  --kubelet-preferred-address-types InternalIP \
  --service-account-issuer https://kubernetes.default.svc.cluster.local \
  --service-account-key-file "$pki/sa.pub" --service-account-signing-key-file "$pki/sa.key" \
  --profiling=false --event-ttl 30m
wait_for 90 "kube-apiserver ready on https://$NODE_IP:6443" kubectl get --raw /readyz
start kube-controller-manager kube-controller-manager --kubeconfig "$pki/controller-manager.kubeconfig" \
  --authentication-kubeconfig "$pki/controller-manager.kubeconfig" --authorization-kubeconfig "$pki/controller-manager.kubeconfig" \
  --bind-address 127.0.0.1 --leader-elect=false --allocate-node-cidrs=true --cluster-cidr "$CLUSTER_CIDR" \
  --node-cidr-mask-size 24 --service-cluster-ip-range "$SERVICE_CIDR" \
  --cluster-signing-cert-file "$pki/ca.crt" --cluster-signing-key-file "$pki/ca.key" \
  --root-ca-file "$pki/ca.crt" --service-account-private-key-file "$pki/sa.key" --use-service-account-credentials=true \
  --profiling=false
start kube-scheduler kube-scheduler --kubeconfig "$pki/scheduler.kubeconfig" \
  --authentication-kubeconfig "$pki/scheduler.kubeconfig" --authorization-kubeconfig "$pki/scheduler.kubeconfig" \
  --bind-address 127.0.0.1 --leader-elect=false --profiling=false

log "kubelet, kube-proxy, CoreDNS"
start kubelet kubelet --config "$CLUSTER_STATE/kubelet.yaml" --kubeconfig "$pki/kubelet.kubeconfig" \
  --root-dir "$CLUSTER_STATE/kubelet" --hostname-override "$NODE_NAME" --node-ip "$NODE_IP"
start kube-proxy kube-proxy --config "$CLUSTER_STATE/kube-proxy.yaml"
start coredns coredns -conf "$CLUSTER_STATE/Corefile"
wait_for 120 "node $NODE_NAME registered" kubectl get node "$NODE_NAME"
kubectl wait --for=condition=Ready "node/$NODE_NAME" --timeout=120s >/dev/null || die "node $NODE_NAME not Ready after 120s (logs: $CLUSTER_STATE/logs/kubelet.log)"
render "$here/config/kube-dns.yaml" "$CLUSTER_STATE/kube-dns.yaml"
kubectl apply -f "$CLUSTER_STATE/kube-dns.yaml" >/dev/null
wait_for 60 "default ServiceAccount created" kubectl -n default get serviceaccount default
log "cluster up in $((SECONDS - t0)) s: KUBECONFIG=$KUBECONFIG_ADMIN, kubectl/helm in $BIN_DIR"
