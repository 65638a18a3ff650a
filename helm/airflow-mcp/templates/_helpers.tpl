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

{{/* Checks that keep the rendered configuration coherent. */}}
{{- define "airflow-mcp.validate" -}}
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
