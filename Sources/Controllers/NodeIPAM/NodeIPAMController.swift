import APIModel
import ClusterClient
import Logging


/// Node IPAM (kube-controller-manager's range allocator): gives every Node without one a
/// `spec.podCIDR` (and `spec.podCIDRs`) from the cluster CIDR, one `/nodeCIDRMaskSize`
/// block per node. The allocation map is rebuilt from the nodes at start, so a restart never
/// hands out a block twice; a deleted node's block is freed.
public final class NodeIPAMController: Controller {
    public let name = "node-ipam-controller"

    private let context: ControllerContext
    private let nodes: SharedInformer
    private let queue = WorkQueue<String>(name: "nodeipam")
    private let allocator: LockedState<CIDRAllocator?>
    private let recorder: EventRecorder

    public init(context: ControllerContext) {
        self.context = context
        nodes = context.informers.informer(for: .nodes)
        recorder = context.eventRecorder(component: "cidrAllocator")
        do {
            allocator = LockedState(try CIDRAllocator(clusterCIDR: context.options.clusterCIDR,
                                                nodeMaskSize: context.options.nodeCIDRMaskSize))
        } catch {
            context.logger.error("node IPAM disabled", metadata: ["error": "\(error)"])
            allocator = LockedState(nil)
        }
        let queue = queue
        let allocator = allocator
        nodes.addHandler(InformerHandler(
            onAdd: { queue.enqueue($0.name) },
            onUpdate: { _, new in queue.enqueue(new.name) },
            onDelete: { node in
                // The block is free again once its node is gone.
                for cidr in node.podCIDRs { allocator.withLock { _ = $0?.release(cidr) } }
            }))
    }

    public func run(workers: Int) async {
        guard allocator.withLock({ $0 != nil }) else { return }
        await nodes.waitForSync()
        for node in nodes.list() {
            for cidr in node.podCIDRs { allocator.withLock { _ = $0?.occupy(cidr) } }
        }
        // One worker: allocation and the write that records it must not interleave between nodes.
        await runReconcileLoop(queue: queue, workers: 1, logger: context.logger, controller: name) { [self] node in
            try await reconcile(nodeName: node)
        }
    }

    func reconcile(nodeName: String) async throws {
        guard let node = nodes.get(nodeName), !node.isBeingDeleted else { return }
        if !node.podCIDRs.isEmpty {
            for cidr in node.podCIDRs { allocator.withLock { _ = $0?.occupy(cidr) } }
            return
        }
        guard let cidr = allocator.withLock({ $0?.allocate() }) else {
            recorder.record(node, type: .normal, reason: "CIDRNotAvailable",
                            message: "Node \(nodeName) status is now: CIDRNotAvailable")
            throw NodeIPAMError.exhausted
        }
        do {
            let patch: JSONValue = ["spec": ["podCIDR": .string(cidr), "podCIDRs": [.string(cidr)]]]
            _ = try await context.client.patch(.nodes, name: nodeName, type: .merge, patch)
            context.logger.info("assigned a pod CIDR", metadata: ["node": "\(nodeName)", "cidr": "\(cidr)"])
        } catch {
            allocator.withLock { $0?.release(cidr) }
            if let error = error as? ClientError, error.isNotFound { return }
            throw error
        }
    }

    enum NodeIPAMError: Error { case exhausted }
}

extension JSONValue {
    /// `spec.podCIDRs`, or `spec.podCIDR` alone.
    var podCIDRs: [String] {
        let list = self["spec"]?["podCIDRs"]?.arrayValue?.compactMap(\.stringValue) ?? []
        if !list.isEmpty { return list }
        if let single = self["spec"]?["podCIDR"]?.stringValue, !single.isEmpty { return [single] }
        return []
    }
}
