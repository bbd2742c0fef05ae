import Testing
@testable import Scheduler

@Suite struct QueueTests {
    let start = ContinuousClock.now

    @Test func activeOrderIsPriorityThenTime() {
        var queue = SchedulingQueue()
        queue.add(Fixtures.pod("first", priority: 0), now: start)
        queue.add(Fixtures.pod("second", priority: 0), now: start + .milliseconds(1))
        queue.add(Fixtures.pod("important", priority: 10), now: start + .milliseconds(2))
        #expect(queue.pop(now: start + .seconds(1))?.name == "important")
        #expect(queue.pop(now: start + .seconds(1))?.name == "first")
        #expect(queue.pop(now: start + .seconds(1))?.name == "second")
        #expect(queue.pop(now: start + .seconds(1)) == nil)
    }

    @Test func backoffDoublesToTheMaximum() {
        let queue = SchedulingQueue()
        #expect(queue.backoffDuration(attempts: 1) == .seconds(1))
        #expect(queue.backoffDuration(attempts: 2) == .seconds(2))
        #expect(queue.backoffDuration(attempts: 4) == .seconds(8))
        #expect(queue.backoffDuration(attempts: 9) == .seconds(10))
    }

    @Test func unschedulablePodsMoveOnClusterEvents() {
        var queue = SchedulingQueue()
        queue.add(Fixtures.pod("p"), now: start)
        let pod = queue.pop(now: start)
        let cycle = queue.schedulingCycle
        queue.addUnschedulable(key: pod?.key ?? "", cycle: cycle, now: start)
        #expect(queue.unschedulableCount == 1)
        #expect(queue.pop(now: start + .seconds(5)) == nil)
        // A node event: still inside its 1 s backoff → backoff, then active.
        queue.moveAllToActiveOrBackoff(now: start + .milliseconds(500))
        #expect(queue.backoffCount == 1)
        #expect(queue.pop(now: start + .milliseconds(600)) == nil)
        #expect(queue.pop(now: start + .seconds(2))?.name == "p")
    }

    @Test func unschedulablePodsAreFlushedAfterTheMaximumWait() {
        var queue = SchedulingQueue()
        queue.add(Fixtures.pod("p"), now: start)
        _ = queue.pop(now: start)
        queue.addUnschedulable(key: "default/p", cycle: queue.schedulingCycle, now: start)
        #expect(queue.pop(now: start + .seconds(299)) == nil)
        #expect(queue.pop(now: start + .seconds(301))?.name == "p")
    }

    @Test func aMoveDuringTheCycleSendsTheFailureToBackoff() {
        var queue = SchedulingQueue()
        queue.add(Fixtures.pod("p"), now: start)
        _ = queue.pop(now: start)
        let cycle = queue.schedulingCycle
        queue.moveAllToActiveOrBackoff(now: start)
        queue.addUnschedulable(key: "default/p", cycle: cycle, now: start)
        #expect(queue.unschedulableCount == 0)
        #expect(queue.backoffCount == 1)
    }
}
