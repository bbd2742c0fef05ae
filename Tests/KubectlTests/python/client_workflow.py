"""The official Kubernetes Python client against a live skiff apiserver.

Run by PythonClientTests with the admin kubeconfig: create, list, watch, patch and delete
through the generated typed APIs, exactly as a user's script would. Prints one "ok <step>"
line per step; the first failed check raises, printing the server's answer, and exits 1.
"""
import sys
import threading
import time

from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException

NAMESPACE = "pyclient"


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def step(name):
    print(f"ok {name}", flush=True)


def main(kubeconfig):
    config.load_kube_config(config_file=kubeconfig)
    core = client.CoreV1Api()
    apps = client.AppsV1Api()

    version = client.VersionApi().get_code()
    check(version.major == "1", f"version: {version}")
    step("version")

    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=NAMESPACE)))
    created = core.create_namespaced_config_map(
        NAMESPACE,
        client.V1ConfigMap(
            metadata=client.V1ObjectMeta(name="alpha", labels={"app": "py"}),
            data={"k": "v1"},
        ),
    )
    check(created.metadata.uid, f"create returned no uid: {created.metadata}")
    check(created.metadata.resource_version, "create returned no resourceVersion")
    core.create_namespaced_config_map(
        NAMESPACE, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "beta", "labels": {"app": "other"}}}
    )
    try:
        core.create_namespaced_config_map(NAMESPACE, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="alpha")))
        check(False, "a duplicate create succeeded")
    except ApiException as error:
        check(error.status == 409, f"duplicate create: {error.status} {error.body}")
    step("create")

    listed = core.list_namespaced_config_map(NAMESPACE, label_selector="app=py")
    check([item.metadata.name for item in listed.items] == ["alpha"], f"list by label: {listed.items}")
    everything = core.list_namespaced_config_map(NAMESPACE)
    check(sorted(item.metadata.name for item in everything.items) == ["alpha", "beta"], f"list: {everything.items}")
    across = core.list_config_map_for_all_namespaces(field_selector=f"metadata.namespace={NAMESPACE}")
    check(len(across.items) == 2, f"list across namespaces: {across.items}")
    paged = core.list_namespaced_config_map(NAMESPACE, limit=1)
    check(len(paged.items) == 1, f"limit=1 returned {len(paged.items)} items")
    if paged.metadata._continue:
        rest = core.list_namespaced_config_map(NAMESPACE, limit=1, _continue=paged.metadata._continue)
        check(len(rest.items) == 1 and rest.items[0].metadata.name != paged.items[0].metadata.name, "continue page")
    step("list")

    # Watch from the list's resourceVersion: changes made after the list arrive in order.
    start = everything.metadata.resource_version
    core.create_namespaced_config_map(NAMESPACE, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="gamma")))
    core.patch_namespaced_config_map("alpha", NAMESPACE, {"data": {"k": "v2"}})
    seen = []
    stream = watch.Watch()
    for event in stream.stream(core.list_namespaced_config_map, NAMESPACE, resource_version=start, timeout_seconds=20):
        seen.append((event["type"], event["object"].metadata.name))
        if ("ADDED", "gamma") in seen and ("MODIFIED", "alpha") in seen:
            stream.stop()
    check(("ADDED", "gamma") in seen and ("MODIFIED", "alpha") in seen, f"watch from {start} saw {seen}")
    step("watch from a resourceVersion")

    # A live watch: a change made while the stream is open is delivered.
    def late_create():
        time.sleep(1.0)
        core.create_namespaced_config_map(NAMESPACE, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="live")))

    writer = threading.Thread(target=late_create)
    writer.start()
    live = []
    stream = watch.Watch()
    for event in stream.stream(core.list_namespaced_config_map, NAMESPACE, timeout_seconds=20):
        live.append((event["type"], event["object"].metadata.name))
        if ("ADDED", "live") in live:
            stream.stop()
    writer.join()
    check(("ADDED", "live") in live, f"live watch saw {live}")
    check(("ADDED", "alpha") in live, f"a watch without resourceVersion starts with the current objects: {live}")
    step("live watch")

    patched = core.patch_namespaced_config_map("alpha", NAMESPACE, {"metadata": {"labels": {"patched": "yes"}}, "data": {"n": "1"}})
    check(patched.metadata.labels == {"app": "py", "patched": "yes"}, f"strategic patch labels: {patched.metadata.labels}")
    check(patched.data == {"k": "v2", "n": "1"}, f"strategic patch data: {patched.data}")
    json_patched = core.patch_namespaced_config_map("alpha", NAMESPACE, [{"op": "remove", "path": "/data/n"}])
    check(json_patched.data == {"k": "v2"}, f"json patch: {json_patched.data}")

    deployment = apps.create_namespaced_deployment(
        NAMESPACE,
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "web"},
            "spec": {
                "replicas": 1,
                "selector": {"matchLabels": {"app": "web"}},
                "template": {
                    "metadata": {"labels": {"app": "web"}},
                    "spec": {"containers": [{"name": "app", "image": "nginx:1.25"}, {"name": "side", "image": "busybox"}]},
                },
            },
        },
    )
    check(deployment.metadata.generation == 1, f"generation {deployment.metadata.generation}")
    updated = apps.patch_namespaced_deployment(
        "web", NAMESPACE, {"spec": {"template": {"spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]}}}}
    )
    images = {c.name: c.image for c in updated.spec.template.spec.containers}
    check(images == {"app": "nginx:1.27", "side": "busybox"}, f"strategic merge by container name: {images}")
    check(updated.metadata.generation == 2, f"a spec change bumps generation: {updated.metadata.generation}")
    scale = apps.patch_namespaced_deployment_scale("web", NAMESPACE, {"spec": {"replicas": 3}})
    check(scale.spec.replicas == 3, f"scale: {scale}")
    check(apps.read_namespaced_deployment("web", NAMESPACE).spec.replicas == 3, "scale reached the deployment")
    stale = core.read_namespaced_config_map("alpha", NAMESPACE)
    core.patch_namespaced_config_map("alpha", NAMESPACE, {"data": {"k": "v3"}})
    stale.data = {"k": "stale"}
    try:
        core.replace_namespaced_config_map("alpha", NAMESPACE, stale)
        check(False, "a replace with a stale resourceVersion succeeded")
    except ApiException as error:
        check(error.status == 409, f"stale replace: {error.status} {error.body}")
    step("patch")

    status = core.delete_namespaced_config_map("beta", NAMESPACE)
    check(status is not None, "delete returned nothing")
    try:
        core.read_namespaced_config_map("beta", NAMESPACE)
        check(False, "a deleted configmap is still readable")
    except ApiException as error:
        check(error.status == 404, f"read after delete: {error.status} {error.body}")
    apps.delete_namespaced_deployment("web", NAMESPACE, propagation_policy="Background")
    remaining = sorted(item.metadata.name for item in core.list_namespaced_config_map(NAMESPACE).items)
    check(remaining == ["alpha", "gamma", "live"], f"after delete: {remaining}")
    try:
        core.delete_namespaced_config_map("beta", NAMESPACE)
        check(False, "deleting a missing configmap succeeded")
    except ApiException as error:
        check(error.status == 404, f"delete of a missing object: {error.status}")
    step("delete")


if __name__ == "__main__":
    try:
        main(sys.argv[1])
    except ApiException as error:
        print(f"FAILED: HTTP {error.status} {error.reason}: {error.body}", flush=True)
        sys.exit(1)
    except Exception as error:  # noqa: BLE001 - report any failure with its message
        import traceback

        traceback.print_exc()
        print(f"FAILED: {error}", flush=True)
        sys.exit(1)
