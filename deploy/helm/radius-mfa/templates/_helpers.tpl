{{/* Chart name, truncated to the 63 characters a label value allows. */}}
{{- define "radius-mfa.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name: release-chart, unless the release name already contains the chart name. */}}
{{- define "radius-mfa.fullname" -}}
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

{{- define "radius-mfa.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Standard labels (https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/). */}}
{{- define "radius-mfa.labels" -}}
helm.sh/chart: {{ include "radius-mfa.chart" . }}
{{ include "radius-mfa.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: radius-mfa
{{- end }}

{{- define "radius-mfa.selectorLabels" -}}
app.kubernetes.io/name: {{ include "radius-mfa.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Labels of one role. Call with (dict "root" $ "component" "ingress"). */}}
{{- define "radius-mfa.componentLabels" -}}
{{ include "radius-mfa.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "radius-mfa.componentSelectorLabels" -}}
{{ include "radius-mfa.selectorLabels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* Resource name of one role: fullname-component. */}}
{{- define "radius-mfa.componentName" -}}
{{- printf "%s-%s" (include "radius-mfa.fullname" .root) .component | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "radius-mfa.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "radius-mfa.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "radius-mfa.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* True when the Prometheus Operator CRDs are installed (ServiceMonitor, PrometheusRule). */}}
{{- define "radius-mfa.hasPrometheusOperator" -}}
{{- if .Capabilities.APIVersions.Has "monitoring.coreos.com/v1" }}true{{ end }}
{{- end }}

{{/*
Pod template shared by the three roles. Call with
(dict "root" $ "component" "ingress" "role" "ingress" "values" .Values.ingress "ports" (list ...)).
*/}}
{{- define "radius-mfa.podTemplate" -}}
{{- $root := .root -}}
metadata:
  labels:
    {{- include "radius-mfa.componentLabels" . | nindent 4 }}
  annotations:
    # Roll the pods when the config changes.
    checksum/config: {{ include (print $root.Template.BasePath "/configmap.yaml") $root | sha256sum }}
    {{- with .values.podAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  serviceAccountName: {{ include "radius-mfa.serviceAccountName" $root }}
  automountServiceAccountToken: false
  {{- with $root.Values.imagePullSecrets }}
  imagePullSecrets:
    {{- range . }}
    - name: {{ . }}
    {{- end }}
  {{- end }}
  securityContext:
    {{- toYaml $root.Values.podSecurityContext | nindent 4 }}
  # Longer than the readiness drain plus the longest in-flight transaction answer.
  terminationGracePeriodSeconds: 70
  {{- if $root.Values.topologySpread.enabled }}
  topologySpreadConstraints:
    {{- range $key := list "topology.kubernetes.io/zone" "kubernetes.io/hostname" }}
    - maxSkew: 1
      topologyKey: {{ $key }}
      whenUnsatisfiable: {{ $root.Values.topologySpread.whenUnsatisfiable }}
      labelSelector:
        matchLabels:
          {{- include "radius-mfa.componentSelectorLabels" $ | nindent 10 }}
    {{- end }}
  {{- end }}
  containers:
    - name: {{ .component }}
      image: {{ include "radius-mfa.image" $root }}
      imagePullPolicy: {{ $root.Values.image.pullPolicy }}
      args: ["start"]
      env:
        - name: RADIUS_MFA_ROLE
          value: {{ .role }}
        - name: RADIUS_MFA_CONFIG
          value: /etc/radius-mfa/config.yaml
        - name: RADIUS_MFA_OPS_PORT
          value: {{ $root.Values.ports.ops | quote }}
        {{- with $root.Values.redis.url }}
        - name: REDIS_URL
          value: {{ . | quote }}
        {{- end }}
        {{- with $root.Values.extraEnv }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      envFrom:
        - secretRef:
            name: {{ required "secrets.existingSecret is required: the chart references secrets, it never creates them" $root.Values.secrets.existingSecret }}
      ports:
        {{- range .ports }}
        - name: {{ .name }}
          containerPort: {{ .containerPort }}
          protocol: {{ .protocol }}
        {{- end }}
        - name: ops
          containerPort: {{ $root.Values.ports.ops }}
          protocol: TCP
      livenessProbe:
        httpGet: { path: /healthz, port: ops }
        periodSeconds: 10
        failureThreshold: 3
      readinessProbe:
        httpGet: { path: /readyz, port: ops }
        periodSeconds: 5
        failureThreshold: 2
      startupProbe:
        httpGet: { path: /healthz, port: ops }
        periodSeconds: 2
        failureThreshold: 30
      resources:
        {{- toYaml .values.resources | nindent 8 }}
      securityContext:
        {{- toYaml $root.Values.securityContext | nindent 8 }}
      volumeMounts:
        - name: config
          mountPath: /etc/radius-mfa/config.yaml
          subPath: config.yaml
          readOnly: true
        - name: tmp
          mountPath: /tmp
        {{- if and $root.Values.radsec.enabled (eq .component "ingress") }}
        - name: radsec-tls
          mountPath: /etc/radius-mfa/tls
          readOnly: true
        {{- end }}
  volumes:
    - name: config
      configMap:
        name: {{ include "radius-mfa.fullname" $root }}
    - name: tmp
      emptyDir: { sizeLimit: 64Mi }
    {{- if and $root.Values.radsec.enabled (eq .component "ingress") }}
    - name: radsec-tls
      secret:
        secretName: {{ required "secrets.radsecTlsSecret is required when radsec.enabled" $root.Values.secrets.radsecTlsSecret }}
    {{- end }}
  {{- with .values.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .values.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .values.affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end }}
