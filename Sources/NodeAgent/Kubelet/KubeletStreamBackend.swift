import ContainerRuntime

/// Resolves the streaming server's requests (logs, exec, attach, port-forward) to runtime
/// containers through the pod workers.
struct KubeletStreamBackend: PodStreamBackend {
    let registry: PodWorkerRegistry
    let runtime: Runtime

    func resolve(namespace: String, pod: String, container: String?, previous: Bool) async throws -> StreamTarget {
        guard let worker = await registry.worker(namespace: namespace, name: pod) else {
            throw StreamTargetError(code: 404, message: "pods \"\(pod)\" not found")
        }
        let object = await worker.podObject
        let names = object.allContainers.map(\.name)
        let name: String
        if let container, !container.isEmpty {
            guard names.contains(container) else {
                throw StreamTargetError(code: 400, message: "container \(container) is not valid for pod \(pod)")
            }
            name = container
        } else if let preferred = object.object.annotations["kubectl.kubernetes.io/default-container"], names.contains(preferred) {
            name = preferred
        } else if let first = object.containers.first?.name {
            name = first
        } else {
            throw StreamTargetError(code: 400, message: "pod \(pod) has no containers")
        }
        guard let found = await worker.streamInstance(container: name, previous: previous) else {
            if previous {
                throw StreamTargetError(code: 400, message: "previous terminated container \"\(name)\" in pod \"\(pod)\" not found")
            }
            throw StreamTargetError(code: 400, message: "container \"\(name)\" in pod \"\(pod)\" is waiting to start: ContainerCreating")
        }
        let spec = object.allContainers.first { $0.name == name }
        return StreamTarget(runtimeID: found.instance.runtimeID, logPath: found.log,
                            networkNamespacePath: await worker.sandboxNetworkNamespace,
                            tty: spec?.tty ?? false, stdin: spec?.stdin ?? false)
    }

    func networkNamespace(namespace: String, pod: String) async throws -> String? {
        guard let worker = await registry.worker(namespace: namespace, name: pod) else {
            throw StreamTargetError(code: 404, message: "pods \"\(pod)\" not found")
        }
        return await worker.sandboxNetworkNamespace
    }
}
