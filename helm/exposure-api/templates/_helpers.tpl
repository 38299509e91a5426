{{- define "exposure-api.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "exposure-api.fullname" -}}
{{- if contains .Chart.Name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{- define "exposure-api.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "exposure-api.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "exposure-api.selectorLabels" -}}
app.kubernetes.io/name: {{ include "exposure-api.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "exposure-api.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "exposure-api.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "exposure-api.image" -}}
{{ .Values.image.repository }}:{{ default .Chart.AppVersion .Values.image.tag }}
{{- end }}

{{- define "exposure-api.tokensSecret" -}}
{{- default (printf "%s-tokens" (include "exposure-api.fullname" .)) .Values.existingTokensSecret }}
{{- end }}

{{/* The service's configuration file: the user's settings plus what the chart decides. */}}
{{- define "exposure-api.config" -}}
{{- $config := deepCopy .Values.config }}
{{- $cluster := default dict $config.cluster }}
{{- if not $cluster.id }}{{ $_ := set $cluster "id" (.Release.Name | trunc 20 | trimSuffix "-") }}{{ end }}
{{- if .Values.rbac.namespaces }}{{ $_ := set $cluster "namespaces" .Values.rbac.namespaces }}{{ end }}
{{- $_ := set $config "cluster" $cluster }}
{{- $server := default dict $config.server }}
{{- $_ := set $server "port" 8080 }}
{{- $_ := set $server "host" "0.0.0.0" }}
{{- $_ := set $config "server" $server }}
{{- $election := default dict $config.leaderElection }}
{{- $_ := set $election "namespace" .Release.Namespace }}
{{- $_ := set $config "leaderElection" $election }}
{{- $auth := default dict $config.auth }}
{{- $_ := set $auth "tokensFile" "/etc/exposure-api/tokens/tokens.yaml" }}
{{- $_ := set $config "auth" $auth }}
{{- toYaml $config }}
{{- end }}
