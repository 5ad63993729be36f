{{/*
Names, labels and small computed values shared by every template.
*/}}

{{/* The chart name, or nameOverride. */}}
{{- define "tandem-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The fully qualified app name, used for every object: fullnameOverride, else the release
name when it already contains the chart name, else RELEASE-CHART. At most 63 characters
(a DNS label).
*/}}
{{- define "tandem-operator.fullname" -}}
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

{{/* CHART-VERSION, for the helm.sh/chart label. */}}
{{- define "tandem-operator.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The labels that select the operator's pods; never change them in an upgrade. */}}
{{- define "tandem-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "tandem-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* The standard labels on every object the chart renders. */}}
{{- define "tandem-operator.labels" -}}
helm.sh/chart: {{ include "tandem-operator.chart" . }}
{{ include "tandem-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ include "tandem-operator.imageTag" . | trunc 63 | trimSuffix "-" | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: operator
app.kubernetes.io/part-of: tandem
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* The ServiceAccount the operator runs as. */}}
{{- define "tandem-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "tandem-operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The image tag: image.tag, else the chart's appVersion. */}}
{{- define "tandem-operator.imageTag" -}}
{{- default .Chart.AppVersion .Values.image.tag }}
{{- end }}

{{/* The full image reference: repository:tag, or repository@digest when image.digest is set. */}}
{{- define "tandem-operator.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (include "tandem-operator.imageTag" .) }}
{{- end }}
{{- end }}

{{/* "true" when leader election is on: operator.leaderElect, or more than one replica. */}}
{{- define "tandem-operator.leaderElect" -}}
{{- if or .Values.operator.leaderElect (gt (int .Values.replicaCount) 1) }}true{{- end }}
{{- end }}

{{/* Where the clusters ConfigMap and the kubeconfig Secret are mounted. */}}
{{- define "tandem-operator.configDir" -}}/etc/tandem/config{{- end }}
{{- define "tandem-operator.kubeconfigDir" -}}/etc/tandem/kubeconfig{{- end }}

{{/*
"true" when the operator applies ServiceAccounts for the serving pods somewhere: a member it
manages has a serving identity (serviceAccount, awsRoleArn or gcpServiceAccount).
*/}}
{{- define "tandem-operator.appliesServiceAccounts" -}}
{{- range .Values.clusters }}
{{- if ne (default "manage" .mode) "observe" }}
{{- with .serving }}{{- if or .serviceAccount .awsRoleArn .gcpServiceAccount }}true{{- end }}{{- end }}
{{- end }}
{{- end }}
{{- end }}

{{/* "true" when some member cluster is reached through the kubeconfig Secret. */}}
{{- define "tandem-operator.needsKubeconfig" -}}
{{- range .Values.clusters }}{{- if not .inCluster }}true{{- end }}{{- end }}
{{- end }}

{{/*
The operator's clusters.yaml (the format of `tandem-operator run --config`), rendered from
values.clusters. A member reached through a kubeconfig gets the path of its key in the
mounted Secret; the schema has already checked each member's fields.
*/}}
{{- define "tandem-operator.clustersConfig" -}}
{{- $kubeconfigDir := include "tandem-operator.kubeconfigDir" . }}
{{- $secret := .Values.kubeconfigSecret }}
{{- $names := dict }}
{{- $inCluster := 0 -}}
clusters:
{{- range .Values.clusters }}
{{- if hasKey $names .name }}
{{- fail (printf "values.clusters: the name %q appears twice; member names must be unique" .name) }}
{{- end }}
{{- $_ := set $names .name true }}
- name: {{ .name | quote }}
  provider: {{ .provider | quote }}
  {{- with .region }}
  region: {{ . | quote }}
  {{- end }}
  {{- if .inCluster }}
  {{- $inCluster = add1 $inCluster }}
  inCluster: true
  {{- else }}
  {{- if not $secret.name }}
  {{- fail (printf "values.clusters[%s]: reached through a kubeconfig, so kubeconfigSecret.name must name an existing Secret holding it (create one with hack/peer-access.sh)" .name) }}
  {{- end }}
  kubeconfig: {{ printf "%s/%s" $kubeconfigDir (default $secret.key .kubeconfigKey) | quote }}
  context: {{ .context | quote }}
  {{- end }}
  registry: {{ .registry | quote }}
  mode: {{ default "manage" .mode | quote }}
  {{- with .serving }}
  serving:
    {{- with .serviceAccount }}
    serviceAccount: {{ . | quote }}
    {{- end }}
    {{- with .awsRoleArn }}
    awsRoleArn: {{ . | quote }}
    {{- end }}
    {{- with .gcpServiceAccount }}
    gcpServiceAccount: {{ . | quote }}
    {{- end }}
    {{- with .env }}
    env:
      {{- range $name, $value := . }}
      {{ $name | quote }}: {{ $value | quote }}
      {{- end }}
    {{- end }}
  {{- end }}
{{- end }}
{{- if gt $inCluster 1 }}
{{- fail "values.clusters: at most one member can be inCluster: true (the cluster the operator runs in)" }}
{{- end }}
{{- end }}
