#!/usr/bin/env bash
# Makes the cluster's CA, client/serving certificates, service-account keys and kubeconfigs with openssl.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/versions.sh"
pki="$CLUSTER_STATE/pki"
mkdir -p "$pki"; chmod 700 "$pki"
cd "$pki"
[ -f ca.key ] || openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 30 -subj "/CN=airflow-mcp-cluster-ca" 2>/dev/null

# cert <name> <subject> [subjectAltName]: one key + certificate signed by the CA.
cert() {
  local name="$1" subj="$2" san="${3:-}"
  [ -f "$name.crt" ] && return 0
  openssl req -newkey rsa:2048 -nodes -keyout "$name.key" -out "$name.csr" -subj "$subj" 2>/dev/null
  local ext; ext="$(mktemp)"
  { echo "basicConstraints=CA:FALSE"; echo "keyUsage=digitalSignature,keyEncipherment"
    if [ -n "$san" ]; then echo "extendedKeyUsage=serverAuth,clientAuth"; echo "subjectAltName=$san"
    else echo "extendedKeyUsage=clientAuth"; fi; } >"$ext"
  openssl x509 -req -in "$name.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -out "$name.crt" -days 30 -extfile "$ext" 2>/dev/null
  rm -f "$name.csr" "$ext"
}
cert apiserver "/CN=kube-apiserver" "IP:$API_SERVICE_IP,IP:$NODE_IP,IP:127.0.0.1,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,DNS:localhost"
cert apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client"
cert admin "/O=system:masters/CN=kubernetes-admin"
cert controller-manager "/CN=system:kube-controller-manager"
cert scheduler "/CN=system:kube-scheduler"
cert kubelet-client "/O=system:nodes/CN=system:node:$NODE_NAME"
cert kubelet "/CN=$NODE_NAME" "IP:$NODE_IP,DNS:$NODE_NAME"
cert kube-proxy "/CN=system:kube-proxy"
[ -f sa.key ] || { openssl genrsa -out sa.key 2048 2>/dev/null; openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null; }

# kubeconfig <file> <cert name>
kubeconfig() {
  cat >"$1" <<KC
apiVersion: v1
kind: Config
clusters:
  - name: airflow-mcp
    cluster:
      server: https://$NODE_IP:6443
      certificate-authority: $pki/ca.crt
users:
  - name: $2
    user:
      client-certificate: $pki/$2.crt
      client-key: $pki/$2.key
contexts:
  - name: airflow-mcp
    context: { cluster: airflow-mcp, user: $2 }
current-context: airflow-mcp
KC
}
kubeconfig admin.kubeconfig admin
kubeconfig coredns.kubeconfig admin
kubeconfig controller-manager.kubeconfig controller-manager
kubeconfig scheduler.kubeconfig scheduler
kubeconfig kubelet.kubeconfig kubelet-client
kubeconfig kube-proxy.kubeconfig kube-proxy
chmod 600 ./*.key
