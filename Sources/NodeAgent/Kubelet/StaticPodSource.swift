import APIModel
import ClusterClient
import Crypto
import Foundation
import Logging
import LinuxSystem

/// Static pods: manifests (YAML or JSON) in `staticPodPath`, run by this kubelet without the
/// API, and mirrored into the API as mirror pods (annotation `kubernetes.io/config.mirror`,
/// owned by the Node) so kubectl sees them; a deleted mirror pod is recreated.
struct StaticPodSource: Sendable {
    let directory: String
    let context: KubeletContext
    let registry: PodWorkerRegistry

    /// The pods the directory describes now, by uid. A file that does not parse is logged and skipped.
    func read() -> [String: JSONValue] {
        var pods: [String: JSONValue] = [:]
        for file in Files.list(directory).sorted() where !file.hasPrefix(".") {
            let path = directory + "/" + file
            guard let text = (try? Files.readString(path)) ?? nil else { continue }
            do {
                let object = text.trimmingCharacters(in: .whitespaces).hasPrefix("{")
                    ? try JSONValue(json: text) : try JSONValue.parseYAML(text)
                guard object["kind"]?.stringValue == "Pod" else {
                    context.logger.warning("static pod manifest \(path) is not a Pod")
                    continue
                }
                let pod = Self.staticPod(object, content: text, nodeName: context.nodeName)
                pods[pod.uid] = pod
            } catch {
                context.logger.warning("static pod manifest \(path) does not parse: \(error)")
            }
        }
        return pods
    }

    /// The pod as the kubelet runs it: name suffixed with the node, uid from a hash of the
    /// manifest and the node, the config annotations, bound to this node.
    static func staticPod(_ manifest: JSONValue, content: String, nodeName: String) -> JSONValue {
        let digest = SHA256.hash(data: Data((nodeName + "\n" + content).utf8)).map { String(format: "%02x", $0) }.joined()
        let hash = String(digest.prefix(32))
        var pod = manifest
        let name = (manifest.name.isEmpty ? "static" : manifest.name) + "-" + nodeName
        pod["apiVersion"] = "v1"
        pod["metadata"]?["name"] = .string(name)
        if pod["metadata"]?["namespace"] == nil { pod["metadata"]?["namespace"] = "default" }
        pod["metadata"]?["uid"] = .string(hash)
        var annotations = pod["metadata"]?["annotations"] ?? .emptyObject
        annotations[StaticPodAnnotations.source] = "file"
        annotations[StaticPodAnnotations.hash] = .string(hash)
        annotations[StaticPodAnnotations.seen] = .string(PodStatusBuilder.timestamp())
        pod["metadata"]?["annotations"] = annotations
        pod["spec"]?["nodeName"] = .string(nodeName)
        return pod
    }

    /// Rescans every few seconds: starts new pods, stops removed ones, keeps mirrors present.
    func run() async {
        var current: [String: JSONValue] = [:]
        while !Task.isCancelled {
            let pods = read()
            for (uid, pod) in pods where current[uid] == nil { await registry.upsert(pod) }
            for uid in current.keys where pods[uid] == nil {
                await registry.remove(uid: uid)
                if let old = current[uid] { await deleteMirror(old) }
            }
            current = pods
            for pod in pods.values { await ensureMirror(pod) }
            try? await Task.sleep(for: .seconds(5))
        }
    }

    func ensureMirror(_ pod: JSONValue) async {
        let namespace = pod.namespace ?? "default"
        let hash = pod.annotations[StaticPodAnnotations.hash] ?? ""
        do {
            let existing = try await context.client.get(.pods, namespace: namespace, name: pod.name)
            if existing.annotations[StaticPodAnnotations.mirror] == hash { return }
            if existing.annotations[StaticPodAnnotations.mirror] != nil {
                // The manifest changed: replace the mirror.
                try await context.client.delete(.pods, namespace: namespace, name: pod.name,
                                                options: DeleteOptions(gracePeriodSeconds: 0, preconditionUID: existing.uid))
            } else {
                return
            }
        } catch let error as ClientError where error.isNotFound {
        } catch {
            return
        }
        var mirror = pod
        mirror["metadata"]?["uid"] = nil
        mirror["metadata"]?["annotations"]?[StaticPodAnnotations.mirror] = .string(hash)
        mirror["status"] = nil
        if let node = try? await context.client.get(.nodes, name: context.nodeName) {
            mirror["metadata"]?["ownerReferences"] = [["apiVersion": "v1", "kind": "Node", "name": .string(node.name),
                                                        "uid": .string(node.uid), "controller": true]]
        }
        do {
            _ = try await context.client.create(.pods, namespace: namespace, mirror)
        } catch {
            context.logger.debug("creating mirror pod \(namespace)/\(pod.name): \(error)")
        }
    }

    func deleteMirror(_ pod: JSONValue) async {
        guard let existing = try? await context.client.get(.pods, namespace: pod.namespace ?? "default", name: pod.name),
              existing.annotations[StaticPodAnnotations.mirror] != nil else { return }
        _ = try? await context.client.delete(.pods, namespace: pod.namespace ?? "default", name: pod.name,
                                             options: DeleteOptions(gracePeriodSeconds: 0, preconditionUID: existing.uid))
    }
}
