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
Service name -> gRPC port, and the simulated gateway's: copies of
kit/src/config.ts (DEFAULT_PORTS, DEFAULT_GATEWAY_PORT); test/edge/ports.test.ts
fails when they differ.
*/}}
{{- define "outerpark.ports" -}}
{{- dict "musical" 8081 "reservation" 8082 "payment" 8083 "notice" 8084 "customercenter" 8085 | toJson }}
{{- end }}

{{- define "outerpark.gatewayPort" -}}8090{{- end }}

{{/*
Service name -> metrics port (GET /metrics): a copy of kit/src/config.ts
DEFAULT_METRICS_PORTS (each gRPC port + 1000); test/edge/ports.test.ts fails when they differ.
*/}}
{{- define "outerpark.metricsPorts" -}}
{{- dict "musical" 9081 "reservation" 9082 "payment" 9083 "notice" 9084 "customercenter" 9085 | toJson }}
{{- end }}

{{/* The edge's stats listener (envoy/generate.ts STATS_PORT, STATS_PATH): Envoy's Prometheus stats, nothing else of its admin. */}}
{{- define "outerpark.edgeStatsPort" -}}9902{{- end }}
{{- define "outerpark.edgeStatsPath" -}}/stats/prometheus{{- end }}

{{/* prometheus.io/* pod annotations, for a Prometheus that finds targets by annotation. Call with (dict "root" $ "port" 9081 "path" "/metrics"). */}}
{{- define "outerpark.scrapeAnnotations" -}}
{{- if .root.Values.metrics.podAnnotations }}
prometheus.io/scrape: "true"
prometheus.io/port: {{ .port | int | quote }}
prometheus.io/path: {{ .path | quote }}
{{- end }}
{{- end }}

{{/* The web app's static server: a copy of envoy/generate.ts WEB_APP.port (test/edge/helm.test.ts keeps them equal). */}}
{{- define "outerpark.webPort" -}}8088{{- end }}

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

{{- define "outerpark.jwksName" -}}
{{- printf "%s-jwks" (include "outerpark.fullname" .) }}
{{- end }}

{{/*
The public JWKS (auth.jwks), checked: ES256 public keys only (no private or
symmetric key), each kid "<owner>:<version>", an issuer key and a reservation
key present, none made by `make up` for one machine (version "local-...").
*/}}
{{- define "outerpark.jwks" -}}
{{- $jwks := required "auth.jwks is required: the public JWKS (outerpark.js keys --dir keys; --set-file auth.jwks=keys/jwks.json)" .Values.auth.jwks | fromJson }}
{{- if or (hasKey $jwks "Error") (not (kindIs "slice" $jwks.keys)) }}
{{- fail "auth.jwks must be a JWKS: {\"keys\": [...]}" }}
{{- end }}
{{- $owners := dict }}
{{- range $jwks.keys }}
{{- $kid := toString (.kid | default "") }}
{{- if or (ne (toString .kty) "EC") (ne (toString .crv) "P-256") }}
{{- fail (printf "auth.jwks: key %q is not an EC P-256 public key (ES256 only; never a shared HS256 secret)" $kid) }}
{{- end }}
{{- if hasKey . "d" }}
{{- fail (printf "auth.jwks: key %q contains private key material; give the public JWKS only" $kid) }}
{{- end }}
{{- $parts := splitList ":" $kid }}
{{- if lt (len $parts) 2 }}
{{- fail (printf "auth.jwks: key %q needs a kid \"<owner>:<version>\"" $kid) }}
{{- end }}
{{- if hasPrefix "local-" (index $parts 1) }}
{{- fail (printf "auth.jwks: key %q was made by make up for one machine; make deployment keys with outerpark.js keys" $kid) }}
{{- end }}
{{- $_ := set $owners (first $parts) true }}
{{- end }}
{{- range list "issuer" "reservation" }}
{{- if not (hasKey $owners .) }}
{{- fail (printf "auth.jwks has no %s key" .) }}
{{- end }}
{{- end }}
{{- toJson $jwks }}
{{- end }}

{{/* The edge's share of the JWKS: issuer keys only (no service token is valid from outside). */}}
{{- define "outerpark.edgeJwks" -}}
{{- $keys := list }}
{{- range (include "outerpark.jwks" . | fromJson).keys }}
{{- if eq (first (splitList ":" .kid)) "issuer" }}
{{- $keys = append $keys . }}
{{- end }}
{{- end }}
{{- dict "keys" $keys | toJson }}
{{- end }}

{{- define "outerpark.reservationKeySecretName" -}}
{{- .Values.auth.reservationKey.existingSecret | default (printf "%s-reservation-key" (include "outerpark.fullname" .)) }}
{{- end }}

{{- define "outerpark.reservationKeySecretKey" -}}
{{- if .Values.auth.reservationKey.existingSecret }}{{ .Values.auth.reservationKey.existingSecretKey }}{{ else }}signing-key{{ end }}
{{- end }}

{{/* reservation's private JWK (auth.reservationKey.key), checked against its public half in auth.jwks. */}}
{{- define "outerpark.reservationKey" -}}
{{- $key := required "auth.reservationKey.existingSecret or auth.reservationKey.key is required: reservation signs its calls to musical with its own key" .Values.auth.reservationKey.key | fromJson }}
{{- if or (hasKey $key "Error") (not (hasKey $key "d")) (ne (toString $key.kty) "EC") }}
{{- fail "auth.reservationKey.key must be reservation's private EC JWK (keys/reservation.private.jwk.json)" }}
{{- end }}
{{- $match := false }}
{{- range (include "outerpark.jwks" . | fromJson).keys }}
{{- if and (eq .kid $key.kid) (eq .x $key.x) (eq .y $key.y) }}{{ $match = true }}{{ end }}
{{- end }}
{{- if or (not $match) (ne (first (splitList ":" (toString $key.kid))) "reservation") }}
{{- fail "auth.reservationKey.key does not match a reservation key in auth.jwks" }}
{{- end }}
{{- toJson $key }}
{{- end }}

{{- define "outerpark.pageTokenSecretName" -}}
{{- .Values.auth.pageTokens.existingSecret | default (printf "%s-page-tokens" (include "outerpark.fullname" .)) }}
{{- end }}

{{- define "outerpark.pageTokenSecretKey" -}}
{{- if .Values.auth.pageTokens.existingSecret }}{{ .Values.auth.pageTokens.existingSecretKey }}{{ else }}page-token-secret{{ end }}
{{- end }}

{{- define "outerpark.databaseSecretName" -}}
{{- .Values.postgres.existingSecret | default (printf "%s-database" (include "outerpark.fullname" .)) }}
{{- end }}

{{/* Environment every service process gets. Call with (dict "root" $ "service" "musical" "port" 8081). */}}
{{- define "outerpark.serviceEnv" -}}
{{- $root := .root -}}
- name: PORT
  value: {{ .port | int | quote }}
- name: METRICS_PORT
  value: {{ index (include "outerpark.metricsPorts" $root | fromJson) .service | int | quote }}
{{- with $root.Values.tracing.otlpEndpoint }}
- name: OTEL_EXPORTER_OTLP_ENDPOINT
  value: {{ . | quote }}
{{- end }}
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
- name: JWT_JWKS
  valueFrom:
    configMapKeyRef:
      name: {{ include "outerpark.jwksName" $root }}
      key: jwks.json
{{- with $root.Values.auth.oidc }}
{{- if .issuerUrl }}
- name: OIDC_ISSUER_URL
  value: {{ .issuerUrl | quote }}
- name: OIDC_AUDIENCE
  value: {{ .audience | quote }}
- name: OIDC_ALGORITHMS
  value: {{ .algorithms | quote }}
- name: OIDC_ROLE_CLAIM
  value: {{ .roleClaim | quote }}
{{- with .roleMap }}
- name: OIDC_ROLE_MAP
  value: {{ . | quote }}
{{- end }}
{{- end }}
{{- end }}
- name: PAGE_TOKEN_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ include "outerpark.pageTokenSecretName" $root }}
      key: {{ include "outerpark.pageTokenSecretKey" $root }}
- name: LOG_LEVEL
  value: {{ $root.Values.logLevel | quote }}
{{- end }}

{{/*
The edge's Envoy config: files/envoy.yaml, or with auth.oidc.issuerUrl files/envoy-oidc.yaml (a second jwt_authn
provider whose keys Envoy fetches from auth.oidc.jwksUri over TLS), placeholders replaced (envoy/generate.ts).
*/}}
{{- define "outerpark.edgeConfig" -}}
{{- $oidc := .Values.auth.oidc }}
{{- $file := ternary "files/envoy-oidc.yaml" "files/envoy.yaml" (ne $oidc.issuerUrl "") }}
{{- $config := .Files.Get $file | replace "__FULLNAME__" (include "outerpark.fullname" .) | replace "__CORS_ORIGIN_REGEX__" (toJson .Values.edge.cors.allowOriginRegex) }}
{{- if $oidc.issuerUrl }}
{{- $jwks := urlParse $oidc.jwksUri }}
{{- if ne $jwks.scheme "https" }}{{ fail "auth.oidc.jwksUri must be an https URL (the edge fetches the provider's keys over TLS)" }}{{ end }}
{{- $hostPort := splitList ":" $jwks.host }}
{{- $port := ternary (last $hostPort) "443" (eq (len $hostPort) 2) }}
{{- $config = $config | replace "__OIDC_ISSUER__" (toJson $oidc.issuerUrl) | replace "__OIDC_AUDIENCE__" (toJson $oidc.audience) | replace "__OIDC_JWKS_URI__" (toJson $oidc.jwksUri) | replace "__OIDC_JWKS_HOST__" (toJson (first $hostPort)) | replace "__OIDC_JWKS_PORT__" $port }}
{{- end }}
{{- $config }}
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

{{/* Ingress to a metrics port from Prometheus (networkPolicy.metricsFrom; empty = any peer). Call with (dict "root" $ "port" 9081). */}}
{{- define "outerpark.metricsIngress" -}}
- ports:
    - protocol: TCP
      port: {{ .port | int }}
  {{- with .root.Values.networkPolicy.metricsFrom }}
  from:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end }}
