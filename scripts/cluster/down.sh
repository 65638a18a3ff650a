#!/usr/bin/env bash
# npm run cluster:down — removes every process, mount, netns, bridge, iptables rule, cgroup and file up.sh made.
# Keeps the version-keyed binary cache ($CLUSTER_CACHE) so the next bring-up is warm.
set -uo pipefail
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"
[ "$(id -u)" = 0 ] || die "needs root"
t0=$SECONDS

stop prometheus
stop coredns
stop kubelet
stop kube-proxy
# Containers: kill every task in our containerd, then its shims (found by our socket path only).
if ctr_k8s version >/dev/null 2>&1; then
  for t in $(ctr_k8s tasks ls -q 2>/dev/null); do ctr_k8s tasks kill -s KILL "$t" >/dev/null 2>&1 || true; done
  sleep 1
  for t in $(ctr_k8s tasks ls -q 2>/dev/null); do ctr_k8s tasks delete -f "$t" >/dev/null 2>&1 || true; done
fi
for p in /proc/[0-9]*; do
  if tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -q -- "-address $CLUSTER_RUN/containerd.sock"; then
    kill -KILL "${p#/proc/}" 2>/dev/null || true
  fi
done
stop kube-scheduler
stop kube-controller-manager
stop kube-apiserver
stop containerd
stop etcd
# kube-proxy's own clean-up of its iptables rules, then the chains the kubelet made.
[ -x "$BIN_DIR/kube-proxy" ] && "$BIN_DIR/kube-proxy" --cleanup >/dev/null 2>&1 || true
for table in filter nat mangle; do
  chains="$(iptables -t "$table" -S 2>/dev/null | awk '$1=="-N" && $2 ~ /^KUBE-/ {print $2}')"
  [ -n "$chains" ] || continue
  iptables -t "$table" -S 2>/dev/null | awk '$1=="-A" && / -j KUBE-/' | while read -r _ rest; do
    eval "iptables -t $table -D $rest" 2>/dev/null || true
  done
  for c in $chains; do iptables -t "$table" -F "$c" 2>/dev/null || true; done
  for c in $chains; do iptables -t "$table" -X "$c" 2>/dev/null || true; done
done
while rule="$(iptables -S FORWARD | grep -m1 -- "--comment $IPT_COMMENT")"; do
  eval "iptables ${rule/-A /-D }" || break
done
# Mounts under our directories (deepest first), then the pods' network namespaces.
grep -E " ($CLUSTER_STATE|$CLUSTER_RUN|/run/containerd/io.containerd)[^ ]*" /proc/mounts | awk '{print $2}' | sort -r | while read -r m; do
  case "$m" in "$CLUSTER_STATE"*|"$CLUSTER_RUN"*) umount -l "$m" 2>/dev/null || true ;; esac
done
if [ -f "$CLUSTER_STATE/netns.before" ]; then
  for ns in $(ls /var/run/netns/ 2>/dev/null | grep '^cni-'); do
    grep -qx "$ns" "$CLUSTER_STATE/netns.before" || { ip netns delete "$ns" 2>/dev/null || { umount -l "/var/run/netns/$ns" 2>/dev/null; rm -f "/var/run/netns/$ns"; }; }
  done
fi
for br in "$CNI_BRIDGE" "$NODE_BRIDGE"; do ip link show "$br" >/dev/null 2>&1 && ip link delete "$br"; done
# Restore the two sysctls up.sh changed.
if [ -f "$CLUSTER_STATE/sysctl.saved" ]; then
  v="$(sed -n 's/^ip_forward=//p' "$CLUSTER_STATE/sysctl.saved")"; [ -n "$v" ] && echo "$v" >/proc/sys/net/ipv4/ip_forward
  v="$(sed -n 's/^bridge_nf=//p' "$CLUSTER_STATE/sysctl.saved")"; [ -n "$v" ] && echo "$v" >/proc/sys/net/bridge/bridge-nf-call-iptables
fi
# The kubelet's pod cgroups (cgroup v1: one tree per controller).
for ctl in /sys/fs/cgroup/*/kubepods; do
  [ -d "$ctl" ] && find "$ctl" -depth -type d -exec rmdir {} \; 2>/dev/null
done
rm -f /var/log/containers/*_amcp-*.log 2>/dev/null
find /var/log/containers -maxdepth 1 -xtype l -lname "$CLUSTER_STATE/*" -delete 2>/dev/null || true
rm -f /var/lib/cni/results/amcp-* 2>/dev/null
# Directories the kubelet and CNI create at their default places even with our paths set; only if empty.
# (the kubelet's device-plugin socket is always under /var/lib/kubelet, whatever --root-dir says).
rm -f /var/lib/kubelet/device-plugins/kubelet.sock
rmdir /var/lib/cni/results /var/lib/cni /var/lib/kubelet/device-plugins /var/lib/kubelet 2>/dev/null || true
rm -rf "$CLUSTER_STATE" "$CLUSTER_RUN" /run/airflow-mcp-buildah
log "cluster down in $((SECONDS - t0)) s (binary cache kept: $CLUSTER_CACHE)"
