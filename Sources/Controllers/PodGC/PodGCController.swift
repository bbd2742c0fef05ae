import ClusterClient
import Logging

/// Placeholder until the reconciler lands.
public final class PodGCController: Controller {
    public let name = "pod-garbage-collector"
    let context: ControllerContext

    public init(context: ControllerContext) {
        self.context = context
    }

    public func run(workers: Int) async {}
}
