import APIModel
import ClusterClient
import Foundation
import Logging

/// Pod garbage collection: deletes finished pods beyond `terminatedPodGCThreshold` (oldest
/// first), pods bound to nodes that no longer exist (after a quarantine, so a node that is
/// only being registered is not mistaken for a deleted one), and unscheduled pods that are
/// terminating (no kubelet will ever confirm their deletion).
public final class PodGCController: Controller {
    public let name = "pod-garbage-collector"

    private let context: ControllerContext
    private let pods: SharedInformer
    private let nodes: SharedInformer
    /// How often the collector sweeps (Kubernetes: 20 s).
    let period: Duration
    /// How long a node must stay missing before its pods are deleted (Kubernetes: 40 s).
    let quarantine: Duration
    /// Nodes seen missing, and since when.
    private let missingSince = LockedState<[String: Date]>([:])

    public convenience init(context: ControllerContext) {
        self.init(context: context, period: .seconds(20), quarantine: .seconds(40))
    }

    init(context: ControllerContext, period: Duration, quarantine: Duration) {
        self.context = context
        self.period = period
        self.quarantine = quarantine
        pods = context.informers.informer(for: .pods)
        nodes = context.informers.informer(for: .nodes)
    }

    public func run(workers: Int) async {
        await pods.waitForSync()
        await nodes.waitForSync()
        await runPeriodically(every: period) { [self] in
            await sweep(now: Date())
        }
    }

    func sweep(now: Date) async {
        let all = pods.list()
        await collectTerminated(all)
        await collectOrphaned(all, now: now)
        for pod in all where pod.isBeingDeleted && pod.podNodeName.isEmpty {
            await forceDelete(pod, why: "unscheduled and terminating")
        }
    }

    /// The finished pods to delete: all but the newest `threshold`, oldest first.
    static func terminatedToDelete(_ pods: [JSONValue], threshold: Int) -> [JSONValue] {
        guard threshold > 0 else { return [] }
        let finished = pods.filter { $0.podIsTerminated && !$0.isBeingDeleted }
        guard finished.count > threshold else { return [] }
        let oldestFirst = finished.sorted {
            let a = $0.creationTimestamp ?? "", b = $1.creationTimestamp ?? ""
            return a == b ? $0.key < $1.key : a < b
        }
        return Array(oldestFirst.prefix(finished.count - threshold))
    }

    private func collectTerminated(_ all: [JSONValue]) async {
        for pod in Self.terminatedToDelete(all, threshold: context.options.terminatedPodGCThreshold) {
            await forceDelete(pod, why: "terminated pods above the threshold")
        }
    }

    private func collectOrphaned(_ all: [JSONValue], now: Date) async {
        let boundNodes = Set(all.map(\.podNodeName).filter { !$0.isEmpty })
        var confirmedMissing: Set<String> = []
        for node in boundNodes.sorted() {
            if nodes.get(node) != nil {
                missingSince.withLock { $0[node] = nil }
                continue
            }
            let since = missingSince.withLock { state in
                if let since = state[node] { return since }
                state[node] = now
                return now
            }
            guard now.timeIntervalSince(since) >= quarantine.seconds else { continue }
            // The cache says missing for long enough: confirm with the apiserver.
            do {
                _ = try await context.client.get(.nodes, name: node)
                missingSince.withLock { $0[node] = nil }
            } catch let error as ClientError where error.isNotFound {
                confirmedMissing.insert(node)
            } catch {
                continue
            }
        }
        missingSince.withLock { state in state = state.filter { boundNodes.contains($0.key) } }
        for pod in all where confirmedMissing.contains(pod.podNodeName) {
            await forceDelete(pod, why: "bound to node \(pod.podNodeName), which no longer exists")
        }
    }

    private func forceDelete(_ pod: JSONValue, why: String) async {
        do {
            try await context.client.delete(.pods, namespace: pod.namespace, name: pod.name,
                                            options: DeleteOptions(gracePeriodSeconds: 0, preconditionUID: pod.uid))
            context.logger.info("deleted pod", metadata: ["pod": "\(pod.key)", "reason": "\(why)"])
        } catch let error as ClientError where error.isNotFound || error.isConflict {
        } catch {
            context.logger.warning("pod GC failed to delete pod", metadata: ["pod": "\(pod.key)", "error": "\(error)"])
        }
    }
}
