{{/* Helpers shared by the templates: names, labels, image, shutdown timing. */}}

{{- define "airflow-mcp.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "airflow-mcp.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "airflow-mcp.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "airflow-mcp.selectorLabels" -}}
app.kubernetes.io/name: {{ include "airflow-mcp.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "airflow-mcp.labels" -}}
helm.sh/chart: {{ include "airflow-mcp.chart" . }}
{{ include "airflow-mcp.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: airflow-mcp
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* The helm test pod's labels: the release's, but never the selector pair (name + instance). */}}
{{- define "airflow-mcp.testLabels" -}}
helm.sh/chart: {{ include "airflow-mcp.chart" . }}
app.kubernetes.io/name: {{ include "airflow-mcp.name" . }}-test
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: helm-test
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: airflow-mcp
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "airflow-mcp.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "airflow-mcp.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "airflow-mcp.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* Label that lets a pod through the NetworkPolicy whatever ingressFrom says (used by the helm test). */}}
{{- define "airflow-mcp.clientLabel" -}}
{{ include "airflow-mcp.fullname" . | trunc 56 | trimSuffix "-" }}-client
{{- end }}

{{/*
spec.replicas. Switching the HPA on or off must never lower the running count: dropping the field
(the usual pattern) makes an upgrade reset a running Deployment to 1 until the HPA raises it again.
With the HPA on, keep what is running (the HPA owns the number); on a first install start at
max(replicaCount, minReplicas). With the HPA off, use replicaCount, except on the upgrade that
removes the HPA, which keeps at least the count the HPA had reached. Offline rendering (no cluster)
sees no existing objects.
*/}}
{{- define "airflow-mcp.replicas" -}}
{{- $deploy := lookup "apps/v1" "Deployment" .Release.Namespace (include "airflow-mcp.fullname" .) }}
{{- $running := 0 }}
{{- if and $deploy $deploy.spec }}{{- $running = int (default 0 $deploy.spec.replicas) }}{{- end }}
{{- if .Values.autoscaling.enabled }}
{{- if gt $running 0 }}{{- $running }}{{- else }}{{- max (int .Values.replicaCount) (int .Values.autoscaling.minReplicas) }}{{- end }}
{{- else }}
{{- $hpa := lookup "autoscaling/v2" "HorizontalPodAutoscaler" .Release.Namespace (include "airflow-mcp.fullname" .) }}
{{- if $hpa }}{{- max (int .Values.replicaCount) $running }}{{- else }}{{- int .Values.replicaCount }}{{- end }}
{{- end }}
{{- end }}

{{/* Seconds the pod needs to stop cleanly: preStop pause + SHUTDOWN_DELAY_MS + SHUTDOWN_GRACE_MS + margin. */}}
{{- define "airflow-mcp.requiredGraceSeconds" -}}
{{- $s := .Values.shutdown }}
{{- $ms := add (int $s.delayMs) (int $s.graceMs) }}
{{- $sec := div (add $ms 999) 1000 }}
{{- add (int $s.preStopSleepSeconds) $sec (int $s.marginSeconds) }}
{{- end }}

{{- define "airflow-mcp.terminationGraceSeconds" -}}
{{- $required := include "airflow-mcp.requiredGraceSeconds" . | int }}
{{- $explicit := .Values.shutdown.terminationGracePeriodSeconds }}
{{- if kindIs "invalid" $explicit }}
{{- $required }}
{{- else }}
{{- $min := sub $required (int .Values.shutdown.marginSeconds) }}
{{- if lt (int $explicit) $min }}
{{- fail (printf "shutdown.terminationGracePeriodSeconds=%d is shorter than preStopSleepSeconds + (delayMs + graceMs)/1000 = %d: Kubernetes would kill in-flight requests" (int $explicit) $min) }}
{{- end }}
{{- int $explicit }}
{{- end }}
{{- end }}

{{/* The Airflow port the NetworkPolicy allows: airflow.url's port, else 80/443 by its scheme. */}}
{{- define "airflow-mcp.airflowPort" -}}
{{- $u := urlParse .Values.airflow.url }}
{{- $hostPort := splitList ":" (get $u "host") }}
{{- if gt (len $hostPort) 1 }}{{- last $hostPort }}{{- else if eq (get $u "scheme") "https" }}443{{- else }}80{{- end }}
{{- end }}

{{/*
The sidecar form: no airflow.url; the service finds Airflow from Airflow's own settings handed in
through extraEnv (AIRFLOW__API__*, AIRFLOW__WEBSERVER__*, AIRFLOW_CONFIG) or extraEnvFrom.
*/}}
{{- define "airflow-mcp.sidecarForm" -}}
{{- $found := false }}
{{- range .Values.extraEnv }}
{{- if or (hasPrefix "AIRFLOW__API__" .name) (hasPrefix "AIRFLOW__WEBSERVER__" .name) (eq .name "AIRFLOW_CONFIG") (eq .name "AIRFLOW_API_URL") }}{{- $found = true }}{{- end }}
{{- end }}
{{- if .Values.extraEnvFrom }}{{- $found = true }}{{- end }}
{{- if $found }}true{{- end }}
{{- end }}

{{/*
ALLOWED_HOSTS: mcp.allowedHosts when set, else the Service's in-cluster names plus the Ingress hosts,
so a client reaching the Service by name or through the Ingress is accepted and any other Host header
(DNS rebinding) is refused. The service compares the name only, so "<name>:<port>" is accepted too.
*/}}
{{- define "airflow-mcp.allowedHosts" -}}
{{- if .Values.mcp.allowedHosts }}
{{- join "," .Values.mcp.allowedHosts }}
{{- else }}
{{- $svc := include "airflow-mcp.fullname" . }}
{{- $ns := .Release.Namespace }}
{{- $hosts := list }}
{{- range (list $svc (printf "%s.%s" $svc $ns) (printf "%s.%s.svc" $svc $ns) (printf "%s.%s.svc.cluster.local" $svc $ns)) }}
{{- $hosts = append $hosts . }}
{{- end }}
{{- if .Values.ingress.enabled }}
{{- range .Values.ingress.hosts }}{{- if .host }}{{- $hosts = append $hosts .host }}{{- end }}{{- end }}
{{- end }}
{{- join "," (uniq $hosts) }}
{{- end }}
{{- end }}

{{/* Checks that keep the rendered configuration coherent. */}}
{{- define "airflow-mcp.validate" -}}
{{- if and (not .Values.airflow.url) (not (include "airflow-mcp.sidecarForm" .)) }}
{{- fail "airflow.url is required (e.g. http://airflow-api-server.airflow.svc:8080): the service would otherwise guess a localhost address that is not Airflow in a pod. Leave it empty only in the sidecar form, where extraEnv hands in Airflow's own settings (AIRFLOW__API__PORT / AIRFLOW_CONFIG; see examples/airflow-sidecar-values.yaml)" }}
{{- end }}
{{- if .Values.airflow.url }}
{{- $u := urlParse .Values.airflow.url }}
{{- if not (and (has (get $u "scheme") (list "http" "https")) (get $u "host")) }}
{{- fail (printf "airflow.url=%q is not an http(s) URL with a host" .Values.airflow.url) }}
{{- end }}
{{- end }}
{{- if and .Values.networkPolicy.enabled (not .Values.airflow.url) (not .Values.networkPolicy.airflow.ports) }}
{{- fail "networkPolicy.enabled without airflow.url: set networkPolicy.airflow.ports to Airflow's port (it cannot be derived from the URL)" }}
{{- end }}
{{- if and (has .Values.auth.mode (list "token" "password")) (not .Values.auth.existingSecret) }}
{{- fail (printf "auth.mode=%s needs auth.existingSecret: service credentials are read only from an existing Secret" .Values.auth.mode) }}
{{- end }}
{{- $inbound := or .Values.inboundAuth.existingSecret .Values.inboundAuth.jwt.existingSecret .Values.inboundAuth.jwt.jwksUrl }}
{{- if and (has .Values.auth.mode (list "token" "password")) (not $inbound) (ne (toString .Values.inboundAuth.allowUnauthenticated) "true") }}
{{- fail (printf "auth.mode=%s holds service credentials, so whoever reaches the Service acts with them: set inboundAuth.existingSecret (API keys) or inboundAuth.jwt, or inboundAuth.allowUnauthenticated=true to accept that" .Values.auth.mode) }}
{{- end }}
{{- if and .Values.podDisruptionBudget.enabled (not .Values.autoscaling.enabled) (lt (int .Values.replicaCount) 2) }}
{{- fail "podDisruptionBudget.enabled with replicaCount < 2 would block node drains: disable the PDB or run at least 2 replicas" }}
{{- end }}
{{- if and .Values.autoscaling.enabled (gt (int .Values.autoscaling.minReplicas) (int .Values.autoscaling.maxReplicas)) }}
{{- fail "autoscaling.minReplicas must not exceed autoscaling.maxReplicas" }}
{{- end }}
{{- end }}
