#!/usr/bin/env bash
# End-to-end: the real kubectl against two kube-emulators (eks: token user, gke: client
# certificate user) sharing one kubeconfig. Asserts on kubectl's output, not only exit codes.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

WORK=$(mktemp -d)
trap 'stop_background; rm -rf "$WORK"' EXIT
export KUBECONFIG="$WORK/kubeconfig"
export KUBECACHEDIR="$WORK/cache"
FIXTURES="$REPO_ROOT/hack/e2e/fixtures"
KUBECTL="${KUBECTL:-/usr/bin/kubectl}"

step "starting emulators eks (token) and gke (client certificate)"
start_emulator "$WORK/eks.log" --name eks --tls --token "e2e-$RANDOM-token" --kubeconfig-out "$KUBECONFIG" --context eks --admin \
  --simulate-workloads --pod-ready-seconds 0.3 --unpullable-images 'unpullable\.example'
start_emulator "$WORK/gke.log" --name gke --tls --client-ca-auth --kubeconfig-out "$KUBECONFIG" --context gke --admin

k() { "$KUBECTL" "$@"; }

step "kubeconfig and version"
expect_output "kubeconfig lists both contexts" 'eks.*\n?.*gke|gke' -- k config get-contexts -o name
expect_output "server reports v1.32" 'Server Version: v1\.32' -- k --context eks version
expect_output "client-certificate user is authenticated" 'default +Active' -- k --context gke get namespaces

step "CRD and custom resources (client-side apply)"
for ctx in eks gke; do
  expect_output "[$ctx] CRD created" 'widgets.example.com created' -- k --context "$ctx" apply -f "$FIXTURES/widgets-crd.yaml"
  expect_output "[$ctx] CR created" 'widget.example.com/w1 created' -- k --context "$ctx" apply -f "$FIXTURES/widget-w1.yaml"
  expect_output "[$ctx] re-apply is unchanged" 'widget.example.com/w1 unchanged' -- k --context "$ctx" apply -f "$FIXTURES/widget-w1.yaml"
done
expect_output "changed manifest is configured" 'widget.example.com/w1 configured' -- k --context eks apply -f "$FIXTURES/widget-w1-changed.yaml"
expect_output "second CR created" 'widget.example.com/w2 created' -- k --context eks apply -f "$FIXTURES/widget-w2.yaml"
expect_output "CRD listed with CREATED AT" 'widgets.example.com +[0-9]{4}-' -- k --context eks get crd

step "get: printer columns, short names, selectors, output formats"
expect_output "printer columns header" '^NAME +SIZE +COLOR +READY +AGE' -- k --context eks get widgets
expect_output "short name and column values (missing READY is blank)" '^w1 +4 +blue +[0-9]+s' -- k --context eks get wd
expect_output "default applied by the schema" '^w2 +7 +red ' -- k --context eks get wd
expect_output "category all includes widgets" 'widget.example.com/w1' -- k --context eks get all
expect_output "-l equality selector" '^w2 ' -- k --context eks get wd -l tier=silver
expect_output "-l selector excludes others" '^widget.example.com/w2$' -- k --context eks get wd -l tier=silver -o name
expect_output "-l set-based selector" '^w1 ' -- k --context eks get wd -l 'tier in (gold,bronze)'
expect_output "-l notin / existence" '^w2 ' -- k --context eks get wd -l 'tier,tier notin (gold)'
expect_output "-o yaml" 'kind: Widget' -- k --context eks get wd w1 -o yaml
expect_output "-o jsonpath" '^4 blue 2$' -- k --context eks get wd w1 -o 'jsonpath={.spec.size} {.spec.color} {.metadata.generation}'
expect_output "-A shows NAMESPACE column" '^NAMESPACE +NAME' -- k --context eks get wd -A
expect_output "--show-labels" 'tier=gold' -- k --context eks get wd w1 --show-labels
expect_output "get by fully qualified name" '^w1 ' -- k --context eks get widget.example.com/w1

step "watch sees a change"
"$KUBECTL" --context eks get wd w1 -w --output-watch-events >"$WORK/watch.out" 2>&1 &
WATCH_PID=$!
BACKGROUND_PIDS+=("$WATCH_PID")
eventually "watch printed the initial ADDED row" 10 grep -q '^ADDED' "$WORK/watch.out"
k --context eks patch wd w1 --type=merge -p '{"spec":{"size":6}}' >/dev/null
eventually "watch printed MODIFIED with the new size" 10 grep -Eq '^MODIFIED +w1 +6 ' "$WORK/watch.out"
kill "$WATCH_PID" 2>/dev/null || true

step "status subresource and wait"
expect_output "status patch" 'patched' -- k --context eks patch wd w1 --subresource=status --type=merge \
  -p '{"status":{"conditions":[{"type":"Ready","status":"True","reason":"Tested","observedGeneration":3}]}}'
expect_output "spec untouched by status write" '^6 3$' -- k --context eks get wd w1 -o 'jsonpath={.spec.size} {.metadata.generation}'
expect_output "wait --for=condition=Ready" 'condition met' -- k --context eks wait --for=condition=Ready wd/w1 --timeout=10s
expect_output "READY column shows the condition" '^w1 +6 +blue +True' -- k --context eks get wd w1
expect_failure "wait times out on a condition never met" 'timed out' -- k --context eks wait --for=condition=Ready wd/w2 --timeout=2s
expect_output "status write ignored on the main resource" '^True$' -- bash -c \
  "$KUBECTL --context eks patch wd w1 --type=merge -p '{\"status\":{\"conditions\":[]}}' >/dev/null && $KUBECTL --context eks get wd w1 -o 'jsonpath={.status.conditions[0].status}'"

step "explain and describe"
expect_output "explain a CR field" 'How big' -- k --context eks explain widget.spec
expect_output "explain shows the enum" 'ENUM:' -- k --context eks explain widget.spec.color
expect_output "describe" 'Size: +6' -- k --context eks describe wd w1

step "validation"
expect_failure "schema violation rejected as invalid" 'The Widget "bad" is invalid' -- k --context eks apply -f "$FIXTURES/widget-invalid.yaml"
expect_failure "enum named in the error" 'spec.color: Unsupported value: "green": supported values: "red", "blue"' -- k --context eks apply -f "$FIXTURES/widget-invalid.yaml"
expect_failure "maximum named in the error" 'spec.size: Invalid value: 30: spec.size in body should be less than or equal to 10' -- k --context eks apply -f "$FIXTURES/widget-invalid.yaml"
expect_failure "unknown field rejected under strict validation" 'strict decoding error: unknown field "spec.bogus"' -- k --context eks apply -f "$FIXTURES/widget-unknown-field.yaml"
expect_output "--validate=false prunes the unknown field" 'created' -- k --context eks apply --validate=false -f "$FIXTURES/widget-unknown-field.yaml"
expect_output "pruned field is gone" '^$' -- k --context eks get wd unk -o 'jsonpath={.spec.bogus}'
expect_failure "missing namespace is NotFound" 'namespaces "team-a" not found' -- k --context eks apply -f "$FIXTURES/configmap.yaml"

step "built-in kinds"
expect_output "create namespace" 'namespace/team-a created' -- k --context eks create namespace team-a
expect_output "apply a ConfigMap (strategic merge on change)" 'configmap/settings created' -- k --context eks apply -f "$FIXTURES/configmap.yaml"
expect_output "ConfigMap columns" '^settings +1 ' -- k --context eks get cm -n team-a
expect_output "create secret" 'secret/creds created' -- k --context eks -n team-a create secret generic creds --from-literal=password=hunter2
expect_output "secret data is base64" '^aHVudGVyMg==$' -- k --context eks -n team-a get secret creds -o 'jsonpath={.data.password}'
expect_output "create service" 'service/web created' -- k --context eks -n team-a create service clusterip web --tcp=80:8080
expect_output "service columns" '^web +ClusterIP +10\.96\.[0-9.]+ +<none> +80/TCP' -- k --context eks -n team-a get svc
expect_output "scale a custom resource" 'scaled' -- k --context eks scale wd w1 --replicas=4
expect_output "scale wrote spec.replicas" '^4$' -- k --context eks get wd w1 -o 'jsonpath={.spec.replicas}'

step "deployments with the simulated controller"
expect_output "create deployment" 'deployment.apps/api created' -- k --context eks create deployment api --image=registry.example/api:1 --replicas=2
expect_output "rollout status succeeds" 'successfully rolled out' -- k --context eks rollout status deployment/api --timeout=30s
expect_output "deployment columns" '^api +2/2 +2 +2 +' -- k --context eks get deployments
expect_output "pods of the deployment" '^api-[a-z0-9]+-[a-z0-9]{5} +1/1 +Running +0 ' -- k --context eks get pods -l app=api
expect_output "set image" 'image updated' -- k --context eks set image deployment/api api=registry.example/api:2
expect_output "rollout of the new image" 'successfully rolled out' -- k --context eks rollout status deployment/api --timeout=30s
expect_output "pods run the new image" '^registry.example/api:2 registry.example/api:2 $' -- k --context eks get pods -l app=api -o 'jsonpath={range .items[*]}{.spec.containers[0].image} {end}'
expect_output "scale" 'scaled' -- k --context eks scale deployment/api --replicas=3
expect_output "scaled rollout" 'successfully rolled out' -- k --context eks rollout status deployment/api --timeout=30s
expect_output "three pods after scaling" '^3$' -- bash -c "$KUBECTL --context eks get pods -l app=api -o name | wc -l"
expect_output "replica sets listed" 'api-[a-z0-9]+ +3 +3 +3' -- k --context eks get rs
k --context eks patch deployment api -p '{"spec":{"progressDeadlineSeconds":2}}' >/dev/null
expect_output "set an unpullable image" 'image updated' -- k --context eks set image deployment/api api=unpullable.example/api:3
expect_failure "rollout status fails on a stuck rollout" 'exceeded its progress deadline' -- k --context eks rollout status deployment/api --timeout=30s
expect_output "stuck pods show ImagePullBackOff" 'ImagePullBackOff' -- k --context eks get pods -l app=api
expect_output "delete the deployment" 'deleted' -- k --context eks delete deployment api
eventually "its replica sets and pods are collected" 10 bash -c "[ -z \"\$($KUBECTL --context eks get rs,pods -o name)\" ]"

step "server-side apply"
expect_output "apply --server-side creates" 'deployment.apps/web serverside-applied' -- k --context eks apply --server-side -f "$FIXTURES/deployment-web.yaml"
expect_output "managedFields record the kubectl manager" 'kubectl' -- k --context eks get deployment web -o 'jsonpath={.metadata.managedFields[*].manager}'
k --context eks scale deployment web --replicas=5 >/dev/null
expect_failure "conflicting apply is refused" 'conflict' -- k --context eks apply --server-side -f "$FIXTURES/deployment-web-3.yaml"
expect_output "--force-conflicts takes over" 'serverside-applied' -- k --context eks apply --server-side --force-conflicts -f "$FIXTURES/deployment-web-3.yaml"
expect_output "forced value is stored" '^3$' -- k --context eks get deployment web -o 'jsonpath={.spec.replicas}'
expect_output "a later client-side apply works" 'configured|unchanged' -- k --context eks apply -f "$FIXTURES/deployment-web.yaml"
expect_output "client-side apply changed replicas" '^2$' -- k --context eks get deployment web -o 'jsonpath={.spec.replicas}'

step "finalizers and garbage collection"
expect_output "create an owner" 'created' -- k --context eks create configmap owner
OWNER_UID=$(k --context eks get configmap owner -o 'jsonpath={.metadata.uid}')
expect_output "create an owned ConfigMap" 'created' -- bash -c "printf '%s' '{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"owned\",\"ownerReferences\":[{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"name\":\"owner\",\"uid\":\"$OWNER_UID\"}]}}' | $KUBECTL --context eks create -f -"
expect_output "delete the owner" 'deleted' -- k --context eks delete configmap owner
eventually "the owned ConfigMap is collected" 10 bash -c "! $KUBECTL --context eks get configmap owned"
expect_output "create a held ConfigMap" 'created' -- bash -c "printf '%s' '{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"held\",\"finalizers\":[\"example.com/hold\"]}}' | $KUBECTL --context eks create -f -"
expect_output "delete without waiting" 'deleted' -- k --context eks delete configmap held --wait=false
expect_output "held object stays, marked for deletion" '[0-9]{4}-' -- k --context eks get configmap held -o 'jsonpath={.metadata.deletionTimestamp}'
expect_output "removing the finalizer" 'patched' -- k --context eks patch configmap held --type=json -p '[{"op":"remove","path":"/metadata/finalizers"}]'
expect_failure "the object is gone" 'NotFound' -- k --context eks get configmap held

step "each context is its own cluster"
expect_output "gke has only w1" '^w1 +3 +red' -- k --context gke get wd
expect_failure "w2 not in gke" 'NotFound' -- k --context gke get wd w2

step "delete"
expect_output "delete -f" 'widget.example.com "w2" deleted' -- k --context eks delete -f "$FIXTURES/widget-w2.yaml"
expect_failure "deleted object is gone" 'NotFound' -- k --context eks get wd w2
expect_failure "delete of a missing object" 'NotFound' -- k --context eks delete wd w2
expect_output "delete namespace with content" 'namespace "team-a" deleted' -- k --context eks delete namespace team-a
expect_failure "namespace content deleted with it" 'NotFound|No resources' -- k --context eks get cm settings -n team-a
expect_output "delete the CRD" 'deleted' -- k --context eks delete crd widgets.example.com
expect_failure "CR kind gone with its CRD" "could not find the requested resource|doesn't have a resource type" -- k --context eks get wd

step "authorization (RBAC) and service-account tokens"
expect_output "the token user may do anything" '^yes$' -- k --context eks auth can-i '*' '*'
expect_output "the client-certificate user is a cluster admin too" '^yes$' -- k --context gke auth can-i delete nodes
expect_output "auth can-i --list as admin: everything" '^\*\.\* +\[\] +\[\] +\[\*\]' -- k --context eks auth can-i --list
expect_output "auth whoami: admin in system:masters" 'system:masters' -- k --context eks auth whoami
k --context eks create namespace rbac-e2e >/dev/null
k --context eks -n rbac-e2e create serviceaccount viewer >/dev/null
k --context eks -n rbac-e2e create serviceaccount lead >/dev/null
expect_failure "create token: under 10 minutes is refused" 'may not specify a duration less than 10 minutes' -- \
  k --context eks -n rbac-e2e create token viewer --duration=5m
VIEWER=$(k --context eks -n rbac-e2e create token viewer --duration=1h)
LEAD=$(k --context eks -n rbac-e2e create token lead)
kv() { "$KUBECTL" --context eks --token "$VIEWER" "$@"; }
expect_output "the token authenticates as the service account" 'system:serviceaccount:rbac-e2e:viewer' -- kv auth whoami
expect_output "... in its groups" 'system:serviceaccounts:rbac-e2e' -- kv auth whoami
expect_failure "forbidden, in kube-apiserver's words" \
  'Error from server \(Forbidden\): pods is forbidden: User "system:serviceaccount:rbac-e2e:viewer" cannot list resource "pods" in API group "" in the namespace "rbac-e2e"' -- \
  kv -n rbac-e2e get pods
expect_failure "auth can-i: no" '^no$' -- kv -n rbac-e2e auth can-i list pods
k --context eks -n rbac-e2e create rolebinding viewer-view --clusterrole=view --serviceaccount=rbac-e2e:viewer >/dev/null
expect_output "after a view binding, auth can-i list pods: yes" '^yes$' -- kv -n rbac-e2e auth can-i list pods
expect_failure "... delete pods: no" '^no$' -- kv -n rbac-e2e auth can-i delete pods
expect_failure "... list pods in another namespace: no" '^no$' -- kv -n default auth can-i list pods
expect_output "get pods now works" 'No resources found in rbac-e2e namespace' -- kv -n rbac-e2e get pods
expect_output "auth can-i --list shows the view rules" 'pods +\[\] +\[\] +\[get list watch\]' -- kv -n rbac-e2e auth can-i --list
expect_failure "secrets stay hidden from view" 'cannot get resource "secrets" in API group "" in the namespace "rbac-e2e"' -- \
  kv -n rbac-e2e get secret anything
k --context eks -n rbac-e2e create rolebinding lead-admin --clusterrole=admin --serviceaccount=rbac-e2e:lead >/dev/null
expect_failure "a namespace admin cannot bind cluster-admin" 'is attempting to grant RBAC permissions not currently held' -- \
  k --context eks --token "$LEAD" -n rbac-e2e create rolebinding sneaky --clusterrole=cluster-admin --serviceaccount=rbac-e2e:lead
expect_output "... but may bind view" 'rolebinding.rbac.authorization.k8s.io/others-view created' -- \
  k --context eks --token "$LEAD" -n rbac-e2e create rolebinding others-view --clusterrole=view --serviceaccount=rbac-e2e:viewer
expect_failure "the admin endpoint refuses a service account" 'Forbidden' -- kv get --raw /_emulator/counters
expect_output "... and answers the cluster admin" '"items"' -- k --context eks get --raw /_emulator/counters

step "authentication"
expect_failure "a wrong token is refused" 'You must be logged in' -- k --context eks --token wrong-token get ns
EKS_SERVER=$(k config view -o jsonpath='{.clusters[?(@.name=="eks")].cluster.server}')
expect_output "no credentials: 401 Unauthorized" '"code":401' -- curl -sk "$EKS_SERVER/api/v1/namespaces"
expect_output "health is public" '^ok$' -- curl -sk "$EKS_SERVER/healthz"
expect_failure "--tls with no way to authenticate refuses to start" '--tls needs --token or --client-ca-auth' -- \
  "${KUBE_EMULATOR_BIN:-$(swift_bin_path debug)/kube-emulator}" --tls

summary "e2e-kubectl"
