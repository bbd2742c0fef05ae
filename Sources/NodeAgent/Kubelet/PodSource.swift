import APIModel
import ClusterClient
import Logging

/// The pods bound to this node, from the API: a list then a watch (fieldSelector
/// `spec.nodeName=<node>`), relisting when the watch ends or its resourceVersion is gone.
/// Every event reaches the registry in order.
struct PodSource: Sendable {
    let client: ClusterClient
    let nodeName: String
    let registry: PodWorkerRegistry
    let logger: Logger

    /// Runs until cancelled; `synced` is called once after the first complete list.
    func run(synced: @escaping @Sendable () async -> Void) async {
        var didSync = false
        var known = Set<String>()
        let options = ListOptions(fieldSelector: "spec.nodeName=\(nodeName)")
        while !Task.isCancelled {
            do {
                let list = try await client.listAll(.pods, options: options)
                var listed = Set<String>()
                for pod in list.items {
                    listed.insert(pod.uid)
                    await registry.upsert(pod)
                }
                for uid in known.subtracting(listed) { await registry.remove(uid: uid) }
                known = listed
                if !didSync {
                    didSync = true
                    await synced()
                }
                var watchOptions = options
                watchOptions.resourceVersion = list.resourceVersion
                watchOptions.allowWatchBookmarks = true
                watchOptions.timeoutSeconds = 300
                for try await event in client.watch(.pods, options: watchOptions) {
                    switch event.type {
                    case .added, .modified:
                        known.insert(event.object.uid)
                        await registry.upsert(event.object)
                    case .deleted:
                        known.remove(event.object.uid)
                        if !PodObject(event.object).isMirror { await registry.remove(uid: event.object.uid) }
                    case .bookmark:
                        continue
                    case .error:
                        throw ClientError.transport("watch error: \(event.object["message"]?.stringValue ?? "")")
                    }
                }
            } catch {
                if Task.isCancelled { return }
                logger.debug("pod watch ended: \(error)")
                try? await Task.sleep(for: .milliseconds(500))
            }
        }
    }
}
