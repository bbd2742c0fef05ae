import ClusterClient
import Logging

/// Creates Jobs from CronJobs on their schedule (being written).
public final class CronJobController: Controller {
    public let name = "cronjob-controller"
    private let context: ControllerContext

    public init(context: ControllerContext) {
        self.context = context
    }

    public func run(workers: Int) async {}
}
