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

{{/* The server's pods. The component label keeps the uninstall hook's pod out of the Service, the
PodDisruptionBudget and the topology spread, which would otherwise count it as a replica. */}}
{{- define "exposure-api.serverSelectorLabels" -}}
{{ include "exposure-api.selectorLabels" . }}
app.kubernetes.io/component: server
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

{{/* Where the pods find their configuration and tokens: two sibling folders, so neither volume is
mounted inside the other (a mount point inside a read-only ConfigMap volume cannot be created). */}}
{{- define "exposure-api.configDir" -}}/etc/exposure-api/config{{- end }}
{{- define "exposure-api.tokensDir" -}}/etc/exposure-api/tokens{{- end }}
{{- define "exposure-api.tlsDir" -}}/etc/exposure-api/tls{{- end }}

{{/* Non-empty when the service calls TokenReview or SubjectAccessReview (system:auth-delegator). */}}
{{- define "exposure-api.reviewsAccess" -}}
{{- $auth := default dict .Values.config.auth }}
{{- $serviceAccounts := default dict $auth.serviceAccounts }}
{{- $authorization := default dict .Values.config.authorization }}
{{- if or $serviceAccounts.enabled (eq (toString $authorization.mode) "kubernetes") }}true{{ end }}
{{- end }}

{{/* The service's configuration file: the user's settings plus what the chart decides. */}}
{{- define "exposure-api.config" -}}
{{- $config := deepCopy .Values.config }}
{{- $cluster := default dict $config.cluster }}
{{- if not $cluster.id }}
{{- $id := .Release.Name | trunc 20 | trimSuffix "-" }}
{{- if not (regexMatch "^[a-z]([-a-z0-9]{0,18}[a-z0-9])?$" $id) }}
{{- fail (printf "config.cluster.id: the release name %q cannot be the cluster id (1-20 characters a-z0-9-, starting with a letter); set config.cluster.id" .Release.Name) }}
{{- end }}
{{- $_ := set $cluster "id" $id }}
{{- end }}
{{- /* One list decides both what the service watches and where it is granted access. */}}
{{- if and $cluster.namespaces (not (deepEqual $cluster.namespaces .Values.rbac.namespaces)) }}
{{- fail "set rbac.namespaces, not config.cluster.namespaces: the chart sets the latter from the former so that the service watches exactly the namespaces it is granted" }}
{{- end }}
{{- if .Values.rbac.namespaces }}{{ $_ := set $cluster "namespaces" .Values.rbac.namespaces }}{{ end }}
{{- $_ := set $config "cluster" $cluster }}
{{- $server := default dict $config.server }}
{{- $_ := set $server "port" 8080 }}
{{- $_ := set $server "host" "0.0.0.0" }}
{{- if .Values.tls.secretName }}
{{- $_ := set $server "tls" (dict "certFile" (printf "%s/tls.crt" (include "exposure-api.tlsDir" .)) "keyFile" (printf "%s/tls.key" (include "exposure-api.tlsDir" .))) }}
{{- end }}
{{- $_ := set $config "server" $server }}
{{- $election := default dict $config.leaderElection }}
{{- $_ := set $election "namespace" .Release.Namespace }}
{{- $_ := set $config "leaderElection" $election }}
{{- $auth := default dict $config.auth }}
{{- $_ := set $auth "tokensFile" (printf "%s/tokens.yaml" (include "exposure-api.tokensDir" .)) }}
{{- $_ := set $config "auth" $auth }}
{{- toYaml $config }}
{{- end }}
