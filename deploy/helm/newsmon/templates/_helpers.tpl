{{/* Names and labels. */}}
{{- define "newsmon.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "newsmon.fullname" -}}
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

{{/* The name of one component's objects: newsmon.component (dict "root" $ "component" "ingest"). */}}
{{- define "newsmon.component" -}}
{{- printf "%s-%s" (include "newsmon.fullname" .root) .component | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "newsmon.selectorLabels" -}}
app.kubernetes.io/name: {{ include "newsmon.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "newsmon.labels" -}}
{{ include "newsmon.selectorLabels" . }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: newsmon
{{- end }}

{{- define "newsmon.image" -}}
{{- $v := .Values.image }}
{{- if $v.digest }}
{{- printf "%s@%s" $v.repository $v.digest }}
{{- else }}
{{- printf "%s:%s" $v.repository (default .Chart.AppVersion $v.tag) }}
{{- end }}
{{- end }}

{{/*
The NATS connection of one user: newsmon.natsEnv (dict "root" $ "user" "ingest").
NATS_USER and NATS_PASSWORD for password auth, NATS_CREDS for creds; the
inbox prefix in every case.
*/}}
{{- define "newsmon.natsEnv" -}}
{{- $n := .root.Values.nats }}
{{- $u := index $n.users .user }}
- name: NATS_URL
  value: {{ required "nats.url is required: the external NATS server or cluster" $n.url | quote }}
- name: NATS_INBOX_PREFIX
  value: {{ $u.inbox | quote }}
{{- if eq $n.auth.type "password" }}
- name: NATS_USER
  value: {{ $u.name | quote }}
- name: NATS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ required "nats.auth.secretName is required with auth type password" $n.auth.secretName | quote }}
      key: {{ $u.secretKey | quote }}
{{- else if eq $n.auth.type "creds" }}
- name: NATS_CREDS
  value: /etc/newsmon/nats/{{ $u.secretKey }}
{{- else if ne $n.auth.type "none" }}
{{- fail (printf "nats.auth.type %q: want password, creds or none" $n.auth.type) }}
{{- end }}
{{- if $n.tls.caSecret }}
- name: SSL_CERT_DIR
  value: /etc/newsmon/nats-ca
{{- end }}
{{- end }}

{{/* Logging of the long-running services (setup prints its report as text). */}}
{{- define "newsmon.logEnv" -}}
- name: LOG_FORMAT
  value: {{ .Values.log.format | quote }}
- name: LOG_LEVEL
  value: {{ .Values.log.level | quote }}
{{- end }}

{{/* Extra settings of a component: its env map, then its extraEnv list. */}}
{{- define "newsmon.extraEnv" -}}
{{- range $k, $v := .env }}
- name: {{ $k }}
  value: {{ $v | toString | quote }}
{{- end }}
{{- with .extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Mounts every pod has: /tmp, and the NATS credentials and CA when used. */}}
{{- define "newsmon.commonMounts" -}}
- name: tmp
  mountPath: /tmp
{{- if eq .Values.nats.auth.type "creds" }}
- name: nats-creds
  mountPath: /etc/newsmon/nats
  readOnly: true
{{- end }}
{{- if .Values.nats.tls.caSecret }}
- name: nats-ca
  mountPath: /etc/newsmon/nats-ca
  readOnly: true
{{- end }}
{{- end }}

{{/* The volumes of newsmon.commonMounts for one user. */}}
{{- define "newsmon.commonVolumes" -}}
{{- $n := .root.Values.nats }}
- name: tmp
  emptyDir:
    sizeLimit: 256Mi
{{- if eq $n.auth.type "creds" }}
- name: nats-creds
  secret:
    secretName: {{ $n.auth.secretName | quote }}
    defaultMode: 0440
    items:
      - key: {{ (index $n.users .user).secretKey | quote }}
        path: {{ (index $n.users .user).secretKey | quote }}
{{- end }}
{{- if $n.tls.caSecret }}
- name: nats-ca
  secret:
    secretName: {{ $n.tls.caSecret | quote }}
    defaultMode: 0444
    items:
      - key: {{ $n.tls.caKey | quote }}
        path: ca.crt
{{- end }}
{{- end }}

{{/* Probes on the ops port: alive while the process runs, ready while connected to NATS. */}}
{{- define "newsmon.probes" -}}
startupProbe:
  httpGet: {path: /healthz, port: ops}
  periodSeconds: 2
  failureThreshold: 30
livenessProbe:
  httpGet: {path: /healthz, port: ops}
  periodSeconds: 10
  timeoutSeconds: 3
  failureThreshold: 3
readinessProbe:
  httpGet: {path: /readyz, port: ops}
  periodSeconds: 5
  timeoutSeconds: 3
  failureThreshold: 2
{{- end }}

{{/* Pod template annotations: scrape hints and extra annotations. */}}
{{- define "newsmon.podAnnotations" -}}
{{- if .root.Values.metrics.annotations }}
prometheus.io/scrape: "true"
prometheus.io/port: {{ .spec.opsPort | quote }}
prometheus.io/path: /metrics
{{- end }}
{{- with .spec.podAnnotations }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Scheduling and pod-level settings a component shares with the others. */}}
{{- define "newsmon.podSpec" -}}
{{- with .root.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
automountServiceAccountToken: false
enableServiceLinks: false
securityContext:
  {{- toYaml .root.Values.podSecurityContext | nindent 2 }}
terminationGracePeriodSeconds: {{ .spec.terminationGracePeriodSeconds }}
{{- with .spec.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .spec.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .spec.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .spec.topologySpreadConstraints }}
topologySpreadConstraints:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/* The data of a sinks ConfigMap: sinks.yaml from notify.sinks, a whole
file (--set-file notify.sinks=sinks.yaml) kept as it is, or YAML values. */}}
{{- define "newsmon.sinksData" -}}
{{- $sinks := .Values.notify.sinks }}
{{- if kindIs "string" $sinks }}
{{- dict "sinks.yaml" $sinks | toYaml }}
{{- else }}
sinks.yaml: |
  {{- toYaml $sinks | nindent 2 }}
{{- end }}
{{- end }}
