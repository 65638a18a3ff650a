# Pinned versions of everything the local cluster builds or installs (sourced by the other scripts).
K8S_VERSION=v1.37.2
K8S_STAGING_VERSION=v0.37.2
HELM_VERSION=v3.22.0
COREDNS_VERSION=v1.15.0
PROM_OPERATOR_VERSION=v0.85.0
# Debian packages: containerd, runc, CNI plugins, etcd, the image builder and Prometheus.
DEBIAN_PACKAGES="containerd runc containernetworking-plugins etcd-server iptables iproute2 conntrack openssl gcc libc6-dev buildah debootstrap prometheus ethtool socat"
CLUSTER_CACHE="${CLUSTER_CACHE:-/var/cache/airflow-mcp-cluster}"
CLUSTER_STATE="${CLUSTER_STATE:-/var/lib/airflow-mcp-cluster}"
BIN_DIR="$CLUSTER_CACHE/$K8S_VERSION/bin"
# The cluster's own addresses: all private, all on bridges this machine creates (nothing routes them out).
NODE_NAME=amcp-node
NODE_IP=10.245.0.1
NODE_BRIDGE=amcp-node0
CNI_BRIDGE=amcp-cni0
CLUSTER_CIDR=10.244.0.0/16
POD_CIDR=10.244.0.0/24
POD_GATEWAY=10.244.0.1
SERVICE_CIDR=10.96.0.0/16
API_SERVICE_IP=10.96.0.1
DNS_SERVICE_IP=10.96.0.10
ETCD_PORT=23790
CLUSTER_RUN=/run/airflow-mcp-cluster
PAUSE_IMAGE=registry.k8s.io/pause:3.10
KUBECONFIG_ADMIN="$CLUSTER_STATE/pki/admin.kubeconfig"
IPT_COMMENT=airflow-mcp-cluster
# The Dockerfile's base, made locally (no registry): Debian bookworm minbase + Node from npm.
NODE_VERSION=24.21.0
NPM_VERSION=11.19.1
BASE_IMAGE=docker.io/library/node:24.21.0-bookworm-slim
DEBIAN_MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
BUILDAH=(buildah --root "$CLUSTER_CACHE/containers-storage" --runroot /run/airflow-mcp-buildah --storage-driver vfs)
