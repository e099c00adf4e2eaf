{{/* Chart name. */}}
{{- define "outerpark.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Prefix of every resource name. At most 30 characters: the longest suffix,
"-customercenter-headless", must still fit a 63-character DNS label.
*/}}
{{- define "outerpark.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 30 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 30 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 30 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Service name -> gRPC port. The same ports are in envoy/generate.ts; a test
(test/edge/helm.test.ts) fails when the two disagree.
*/}}
{{- define "outerpark.ports" -}}
{{- dict "musical" 8081 "reservation" 8082 "payment" 8083 "notice" 8084 "customercenter" 8085 | toJson }}
{{- end }}

{{- define "outerpark.gatewayPort" -}}8090{{- end }}

{{/* Standard labels. Call with (dict "root" $ "component" "musical"). */}}
{{- define "outerpark.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "outerpark.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Values.image.tag | default .root.Chart.AppVersion | quote }}
app.kubernetes.io/part-of: outerpark
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
{{- end }}

{{/* Labels that select one component's pods. */}}
{{- define "outerpark.selectorLabels" -}}
app.kubernetes.io/name: {{ include "outerpark.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "outerpark.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}

{{- define "outerpark.jwtSecretName" -}}
{{- .Values.jwt.existingSecret | default (printf "%s-jwt" (include "outerpark.fullname" .)) }}
{{- end }}

{{- define "outerpark.jwtSecretKey" -}}
{{- if .Values.jwt.existingSecret }}{{ .Values.jwt.existingSecretKey }}{{ else }}jwt-secret{{ end }}
{{- end }}

{{- define "outerpark.databaseSecretName" -}}
{{- .Values.postgres.existingSecret | default (printf "%s-database" (include "outerpark.fullname" .)) }}
{{- end }}

{{/* Environment every service process gets. Call with (dict "root" $ "service" "musical" "port" 8081). */}}
{{- define "outerpark.serviceEnv" -}}
{{- $root := .root -}}
- name: PORT
  value: {{ .port | int | quote }}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "outerpark.databaseSecretName" $root }}
      key: {{ .service }}-database-url
- name: NATS_URL
  value: {{ $root.Values.nats.url | quote }}
- name: EVENT_NAMESPACE
  value: {{ $root.Values.eventNamespace | quote }}
- name: NATS_STREAM_REPLICAS
  value: {{ $root.Values.nats.streamReplicas | default 1 | int | quote }}
- name: JWT_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ include "outerpark.jwtSecretName" $root }}
      key: {{ include "outerpark.jwtSecretKey" $root }}
- name: LOG_LEVEL
  value: {{ $root.Values.logLevel | quote }}
{{- end }}

{{/* A NetworkPolicy egress rule to peers outside the release. Call with a values entry {ports, to}. */}}
{{- define "outerpark.externalEgress" -}}
- ports:
  {{- range .ports }}
    - protocol: TCP
      port: {{ . }}
  {{- end }}
  {{- with .to }}
  to:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end }}

{{/* DNS egress (UDP and TCP). */}}
{{- define "outerpark.dnsEgress" -}}
- ports:
  {{- range .ports }}
    - protocol: UDP
      port: {{ . }}
    - protocol: TCP
      port: {{ . }}
  {{- end }}
  {{- with .to }}
  to:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end }}
