import ClusterClient
import Logging

/// Runs Jobs' pods to completion (being written).
public final class JobController: Controller {
    public let name = "job-controller"
    private let context: ControllerContext

    public init(context: ControllerContext) {
        self.context = context
    }

    public func run(workers: Int) async {}
}
