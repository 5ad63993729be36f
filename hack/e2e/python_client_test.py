"""End-to-end: the official Kubernetes Python client against kube-emulator.

Run by hack/e2e-python.sh with KUBECONFIG pointing at a running emulator (context `py`) and
EMULATOR_URL set (its admin endpoint closes watches). Prints one line per check and a
closing `e2e-python: N passed, N failed` line.
"""
import json
import os
import ssl
import sys
import threading
import time
import urllib.request

from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException

PASSED = 0
FAILED = 0


def check(description, condition, detail=""):
    global PASSED, FAILED
    if condition:
        PASSED += 1
        print(f"  ok   {description}")
    else:
        FAILED += 1
        print(f"  FAIL {description} {detail}")


def admin(path, body=None):
    """POSTs to the emulator's admin endpoint (loopback, cluster admins only: the kubeconfig's token)."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    authorization = client.Configuration.get_default_copy().api_key["authorization"]
    request = urllib.request.Request(
        os.environ["EMULATOR_URL"] + path, method="POST", data=json.dumps(body or {}).encode(),
        headers={"Content-Type": "application/json", "Authorization": authorization})
    with urllib.request.urlopen(request, context=context, timeout=10) as response:
        return json.loads(response.read())


WIDGET_CRD = {
    "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
    "metadata": {"name": "widgets.example.com"},
    "spec": {
        "group": "example.com", "scope": "Namespaced",
        "names": {"plural": "widgets", "singular": "widget", "kind": "Widget"},
        "versions": [{
            "name": "v1", "served": True, "storage": True, "subresources": {"status": {}},
            "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                "spec": {"type": "object", "properties": {"size": {"type": "integer"}}},
                "status": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}}}},
        }],
    },
}


def main():
    config.load_kube_config(context="py")
    api = client.ApiClient()
    extensions = client.ApiextensionsV1Api(api)
    custom = client.CustomObjectsApi(api)
    core = client.CoreV1Api(api)
    apps = client.AppsV1Api(api)

    extensions.create_custom_resource_definition(WIDGET_CRD)
    check("CRD created", extensions.read_custom_resource_definition("widgets.example.com").metadata.name == "widgets.example.com")

    for index in range(3):
        custom.create_namespaced_custom_object("example.com", "v1", "default", "widgets", {
            "apiVersion": "example.com/v1", "kind": "Widget",
            "metadata": {"name": f"w{index}", "labels": {"index": str(index)}}, "spec": {"size": index}})
    listed = custom.list_namespaced_custom_object("example.com", "v1", "default", "widgets", label_selector="index in (1,2)")
    check("custom objects listed with a label selector", sorted(i["metadata"]["name"] for i in listed["items"]) == ["w1", "w2"])

    patched = custom.patch_namespaced_custom_object("example.com", "v1", "default", "widgets", "w1", {"spec": {"size": 10}})
    check("custom object merge-patched", patched["spec"]["size"] == 10 and patched["metadata"]["generation"] == 2)
    status = custom.patch_namespaced_custom_object_status("example.com", "v1", "default", "widgets", "w1", {"status": {"phase": "Ready"}})
    check("status subresource patched", status["status"]["phase"] == "Ready" and status["metadata"]["generation"] == 2)

    try:
        custom.get_namespaced_custom_object("example.com", "v1", "default", "widgets", "missing")
        check("missing object is a 404", False)
    except ApiException as error:
        check("missing object is a 404 with a Status body", error.status == 404 and json.loads(error.body)["reason"] == "NotFound")

    deployment = client.V1Deployment(
        metadata=client.V1ObjectMeta(name="web"),
        spec=client.V1DeploymentSpec(
            replicas=2, selector=client.V1LabelSelector(match_labels={"app": "web"}),
            template=client.V1PodTemplateSpec(
                metadata=client.V1ObjectMeta(labels={"app": "web"}),
                spec=client.V1PodSpec(containers=[client.V1Container(name="web", image="registry.example/web:1")]))))
    apps.create_namespaced_deployment("default", deployment)
    deadline = time.time() + 20
    ready = 0
    while time.time() < deadline:
        ready = apps.read_namespaced_deployment("web", "default").status.ready_replicas or 0
        if ready == 2:
            break
        time.sleep(0.1)
    check("deployment created and rolled out by the simulator", ready == 2)
    patched = apps.patch_namespaced_deployment("web", "default", {"spec": {"replicas": 3}})
    check("deployment patched (strategic merge)", patched.spec.replicas == 3)
    pods = core.list_namespaced_pod("default", label_selector="app=web")
    check("pods listed by label", len(pods.items) >= 2 and all(p.metadata.owner_references[0].kind == "ReplicaSet" for p in pods.items))

    # A watch that the emulator closes resumes from its last resourceVersion and misses nothing.
    start = custom.list_namespaced_custom_object("example.com", "v1", "default", "widgets")["metadata"]["resourceVersion"]
    seen = []
    def writer():
        time.sleep(0.5)
        custom.patch_namespaced_custom_object("example.com", "v1", "default", "widgets", "w0", {"spec": {"size": 100}})
        time.sleep(0.3)
        admin("/_emulator/watches/close")
        time.sleep(0.3)
        custom.patch_namespaced_custom_object("example.com", "v1", "default", "widgets", "w2", {"spec": {"size": 200}})
    thread = threading.Thread(target=writer)
    thread.start()
    last_rv = start
    reconnects = 0
    deadline = time.time() + 20
    while len(seen) < 2 and time.time() < deadline:
        stream = watch.Watch()
        for event in stream.stream(custom.list_namespaced_custom_object, "example.com", "v1", "default", "widgets",
                                   resource_version=last_rv, timeout_seconds=10):
            obj = event["object"]
            last_rv = obj["metadata"]["resourceVersion"]
            if event["type"] == "MODIFIED":
                seen.append((obj["metadata"]["name"], obj["spec"]["size"]))
            if len(seen) >= 2:
                stream.stop()
                break
        reconnects += 1
    thread.join()
    check("watch saw both changes across the emulator closing it", seen == [("w0", 100), ("w2", 200)], f"saw {seen}")
    check("watch reconnected at least once", reconnects >= 2, f"reconnects={reconnects}")

    custom.delete_namespaced_custom_object("example.com", "v1", "default", "widgets", "w0")
    remaining = custom.list_namespaced_custom_object("example.com", "v1", "default", "widgets")["items"]
    check("custom object deleted", sorted(i["metadata"]["name"] for i in remaining) == ["w1", "w2"])

    check_rbac(api)

    print(f"e2e-python: {PASSED} passed, {FAILED} failed")
    return 0 if FAILED == 0 else 1


def check_rbac(api):
    """A service account's TokenRequest token: forbidden in kube-apiserver's words until a binding grants it."""
    core = client.CoreV1Api(api)
    core.create_namespaced_service_account("default", client.V1ServiceAccount(metadata=client.V1ObjectMeta(name="py-robot")))
    issued = core.create_namespaced_service_account_token("py-robot", "default", client.AuthenticationV1TokenRequest(
        spec=client.V1TokenRequestSpec(audiences=[], expiration_seconds=600)))
    check("TokenRequest returns a token and its expiry", bool(issued.status.token) and issued.status.expiration_timestamp is not None)
    robot_config = client.Configuration.get_default_copy()
    robot_config.api_key = {"authorization": "Bearer " + issued.status.token}
    robot_config.refresh_api_key_hook = None  # the kubeconfig loader's hook would restore the admin token
    robot = client.ApiClient(robot_config)
    expected = 'pods is forbidden: User "system:serviceaccount:default:py-robot" cannot list resource "pods" in API group "" in the namespace "default"'
    try:
        client.CoreV1Api(robot).list_namespaced_pod("default")
        check("a service account without bindings is forbidden", False)
    except ApiException as error:
        body = json.loads(error.body)
        check("a service account without bindings gets 403 with kube-apiserver's message",
              error.status == 403 and body["reason"] == "Forbidden" and body["message"] == expected, body)
    attributes = client.V1ResourceAttributes(namespace="default", verb="list", resource="pods")
    review = client.AuthorizationV1Api(robot).create_self_subject_access_review(
        client.V1SelfSubjectAccessReview(spec=client.V1SelfSubjectAccessReviewSpec(resource_attributes=attributes)))
    check("SelfSubjectAccessReview says no before the binding", review.status.allowed is False)
    client.RbacAuthorizationV1Api(api).create_namespaced_role_binding("default", client.V1RoleBinding(
        metadata=client.V1ObjectMeta(name="py-robot-view"),
        role_ref=client.V1RoleRef(api_group="rbac.authorization.k8s.io", kind="ClusterRole", name="view"),
        subjects=[client.RbacV1Subject(kind="ServiceAccount", name="py-robot", namespace="default")]))
    check("after a view binding the token lists pods", len(client.CoreV1Api(robot).list_namespaced_pod("default").items) >= 2)
    review = client.AuthorizationV1Api(robot).create_self_subject_access_review(
        client.V1SelfSubjectAccessReview(spec=client.V1SelfSubjectAccessReviewSpec(resource_attributes=attributes)))
    check("SelfSubjectAccessReview says yes after it", review.status.allowed is True)


if __name__ == "__main__":
    sys.exit(main())
