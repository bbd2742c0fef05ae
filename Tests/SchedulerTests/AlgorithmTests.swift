import APIModel
import Testing
@testable import Scheduler

@Suite struct AlgorithmTests {
    @Test(arguments: [(50, 50), (99, 99), (100, 100), (1000, 420), (5000, 500), (6000, 300), (100_000, 5000)])
    func feasibleNodesToFind(all: Int, expected: Int) {
        #expect(SchedulingAlgorithm().numFeasibleNodesToFind(all) == expected)
    }

    @Test func failureMessageHasKubernetesForm() {
        let nodes = [Fixtures.node("small", cpu: "1"), Fixtures.node("tiny", cpu: "500m"),
                     Fixtures.node("infra", cpu: "8", taints: [Fixtures.taint("node-role", "infra")])]
        var algorithm = SchedulingAlgorithm()
        let cache = Fixtures.cache(nodes)
        guard case .failure(var failure) = algorithm.schedule(Fixtures.pod("p", cpu: "2"), cache: cache) else {
            Issue.record("the pod should not fit")
            return
        }
        #expect(failure.message == "0/3 nodes are available: 1 node(s) had untolerated taint {node-role: infra}, 2 Insufficient cpu.")
        guard case .none(let message) = Preemptor.preempt(Fixtures.pod("p", cpu: "2"), cache: cache, failure: failure, budgets: []) else {
            Issue.record("nothing to preempt")
            return
        }
        failure.preemptionMessage = message
        #expect(failure.message == "0/3 nodes are available: 1 node(s) had untolerated taint {node-role: infra}, 2 Insufficient cpu. "
            + "preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.")
    }

    @Test func equalScoresAreBrokenRoundRobin() {
        let cache = Fixtures.cache([Fixtures.node("a"), Fixtures.node("b"), Fixtures.node("c")])
        var algorithm = SchedulingAlgorithm()
        var chosen: [String] = []
        for index in 0..<6 {
            if case .success(let node) = algorithm.schedule(Fixtures.pod("p\(index)"), cache: cache) { chosen.append(node) }
        }
        #expect(Set(chosen) == ["a", "b", "c"])
    }

    @Test func placesWhereResourcesAndTaintsAllow() {
        var cache = Fixtures.cache([Fixtures.node("small", cpu: "1"), Fixtures.node("big", cpu: "8"),
                                    Fixtures.node("infra", cpu: "16", taints: [Fixtures.taint("node-role", "infra")])])
        var algorithm = SchedulingAlgorithm()
        for index in 0..<3 {
            let pod = Fixtures.pod("p\(index)", cpu: "2")
            guard case .success(let node) = algorithm.schedule(pod, cache: cache) else {
                Issue.record("pod \(index) should fit")
                return
            }
            #expect(node == "big")
            cache.assume(pod, on: node)
        }
    }

    @Test func preemptionPicksTheLowestPriorityVictims() {
        let low = Fixtures.pod("low", cpu: "3", priority: 1)
        let mid = Fixtures.pod("mid", cpu: "3", priority: 50)
        let small = Fixtures.pod("small", cpu: "500m", priority: 1)
        let cache = Fixtures.cache([Fixtures.node("a"), Fixtures.node("b")], pods: [(mid, "a"), (low, "b"), (small, "b")])
        let pod = Fixtures.pod("high", cpu: "2", priority: 100)
        var algorithm = SchedulingAlgorithm()
        guard case .failure(let failure) = algorithm.schedule(pod, cache: cache) else {
            Issue.record("the pod should not fit")
            return
        }
        guard case .preempt(let candidate) = Preemptor.preempt(pod, cache: cache, failure: failure, budgets: []) else {
            Issue.record("there should be victims")
            return
        }
        // On b, evicting `low` suffices and `small` is reprieved; on a, the victim has priority 50.
        #expect(candidate.nodeName == "b")
        #expect(candidate.victims.map(\.name) == ["low"])
    }

    @Test func preemptionAvoidsBudgetViolations() {
        let guarded = Fixtures.pod("guarded", cpu: "3", labels: ["app": "db"], priority: 1)
        let plain = Fixtures.pod("plain", cpu: "3", labels: ["app": "web"], priority: 1)
        let cache = Fixtures.cache([Fixtures.node("a"), Fixtures.node("b")], pods: [(guarded, "a"), (plain, "b")])
        let pod = Fixtures.pod("high", cpu: "2", priority: 100)
        var algorithm = SchedulingAlgorithm()
        guard case .failure(let failure) = algorithm.schedule(pod, cache: cache) else { return }
        let budget = DisruptionBudget(namespace: "default", selector: LabelSelector(requirements: [.init(key: "app", op: .equals, values: ["db"])]),
                                      disruptionsAllowed: 0)
        guard case .preempt(let candidate) = Preemptor.preempt(pod, cache: cache, failure: failure, budgets: [budget]) else {
            Issue.record("there should be victims")
            return
        }
        #expect(candidate.nodeName == "b")
        #expect(candidate.budgetViolations == 0)
    }

    @Test func neverPreemptingPodsDoNot() {
        let cache = Fixtures.cache([Fixtures.node("a")], pods: [(Fixtures.pod("low", cpu: "4", priority: 0), "a")])
        let pod = Fixtures.pod("high", cpu: "1", spec: ["preemptionPolicy": "Never"], priority: 100)
        var algorithm = SchedulingAlgorithm()
        guard case .failure(let failure) = algorithm.schedule(pod, cache: cache) else { return }
        guard case .none = Preemptor.preempt(pod, cache: cache, failure: failure, budgets: []) else {
            Issue.record("preemptionPolicy Never must not preempt")
            return
        }
    }
}
