{{/* Sign-in mode (auth.mode: oauth): public URL, key Secret name, the paths it serves. */}}
{{- define "airflow-mcp.publicUrl" -}}
{{- if .Values.oauth.publicUrl }}
{{- trimSuffix "/" .Values.oauth.publicUrl }}
{{- else if and .Values.ingress.enabled .Values.ingress.hosts }}
{{- printf "https://%s" (first .Values.ingress.hosts).host }}
{{- else }}
{{- fail "auth.mode=oauth needs oauth.publicUrl (or ingress.enabled with a host): clients must know the service's public URL" }}
{{- end }}
{{- end }}

{{- define "airflow-mcp.oauthKeysSecret" -}}
{{- .Values.oauth.keys.existingSecret | default (printf "%s-oauth-keys" (include "airflow-mcp.fullname" .)) }}
{{- end }}

{{- define "airflow-mcp.oauthPaths" -}}
{{- join " " (list "/.well-known/oauth-protected-resource" "/.well-known/oauth-authorization-server" "/register" "/authorize" "/token") }}
{{- end }}
