import APIModel
import ClusterClient
import ClusterTestSupport
import Synchronization
import Testing

/// Who leads, as the `lead` closures of several electors report it.
final class Leadership: Sendable {
    struct State {
        var current: [String] = []
        var maximumConcurrent = 0
        var started: [String] = []
        var cancelled: [String] = []
    }

    let state = Mutex(State())

    func lead(_ identity: String) -> @Sendable () async -> Void {
        { [self] in
            state.withLock { state in
                state.current.append(identity)
                state.started.append(identity)
                state.maximumConcurrent = max(state.maximumConcurrent, state.current.count)
            }
            while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(20)) }
            state.withLock { state in
                state.current.removeAll { $0 == identity }
                state.cancelled.append(identity)
            }
        }
    }

    var snapshot: State { state.withLock { $0 } }
}

@Suite("LeaderElector against a real apiserver")
struct LeaderElectorTests {
    static let timings = LeaderElectionTimings(leaseDuration: .seconds(2), renewDeadline: .milliseconds(1500),
                                               retryPeriod: .milliseconds(200))

    @Test("two candidates: exactly one leads at a time; cancelling the leader hands over quickly")
    func handover() async throws {
        try await withTestCluster { cluster in
            let leadership = Leadership()
            let a = LeaderElector(client: cluster.client, leaseNamespace: "default", leaseName: "handover", identity: "a", timings: Self.timings)
            let b = LeaderElector(client: cluster.client, leaseNamespace: "default", leaseName: "handover", identity: "b", timings: Self.timings)
            let runA = Task { await a.run(lead: leadership.lead("a")) }
            let runB = Task { await b.run(lead: leadership.lead("b")) }
            defer { runA.cancel(); runB.cancel() }
            #expect(try await eventually { leadership.snapshot.current.count == 1 })
            // Several renew periods pass with one leader.
            try await Task.sleep(for: .seconds(2))
            let first = try #require(leadership.snapshot.current.first)
            #expect(leadership.snapshot.current == [first])
            let lease = Lease(try await cluster.client.get(.leases, namespace: "default", name: "handover"))
            #expect(lease.holderIdentity == first)
            #expect(lease.leaseDurationSeconds == 2)
            let renewTime = try #require(lease.renewTime)
            #expect(renewTime.count == "2006-01-02T15:04:05.000000Z".count && renewTime.hasSuffix("Z"))

            let (leaderTask, other) = first == "a" ? (runA, "b") : (runB, "a")
            let clock = ContinuousClock()
            let start = clock.now
            leaderTask.cancel()
            await leaderTask.value
            #expect(try await eventually { leadership.snapshot.current == [other] })
            // Released, not expired: the successor did not wait out the lease duration and more.
            #expect(clock.now - start < .seconds(5))
            #expect(leadership.snapshot.maximumConcurrent == 1)
            let handed = Lease(try await cluster.client.get(.leases, namespace: "default", name: "handover"))
            #expect(handed.holderIdentity == other)
            #expect(handed.leaseTransitions >= 1)
            runA.cancel()
            runB.cancel()
            await runA.value
            await runB.value
        }
    }

    @Test("a leader whose lease is taken over stops leading: its lead task is cancelled")
    func takenOver() async throws {
        try await withTestCluster { cluster in
            let leadership = Leadership()
            let elector = LeaderElector(client: cluster.client, leaseNamespace: "default", leaseName: "taken", identity: "victim", timings: Self.timings)
            let run = Task { await elector.run(lead: leadership.lead("victim")) }
            defer { run.cancel() }
            #expect(try await eventually { leadership.snapshot.current == ["victim"] })
            // Another party writes itself in as holder with a long lease.
            var lease = Lease(try await cluster.client.get(.leases, namespace: "default", name: "taken"))
            lease.holderIdentity = "usurper"
            lease.leaseDurationSeconds = 3600
            lease.renewTime = APITime.microTime()
            _ = try await cluster.client.update(lease)
            #expect(try await eventually { leadership.snapshot.cancelled == ["victim"] })
            #expect(leadership.snapshot.current.isEmpty)
            // It keeps campaigning but does not take a lease that is still valid.
            try await Task.sleep(for: .seconds(1))
            #expect(leadership.snapshot.started == ["victim"])
            #expect(Lease(try await cluster.client.get(.leases, namespace: "default", name: "taken")).holderIdentity == "usurper")
            run.cancel()
            await run.value
        }
    }

    @Test("a candidate takes over a lease whose holder stopped renewing, after the lease duration by its own clock")
    func expiredLease() async throws {
        try await withTestCluster { cluster in
            let stale: JSONValue = ["apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                                    "metadata": ["name": "stale", "namespace": "default"],
                                    "spec": ["holderIdentity": "gone", "leaseDurationSeconds": 1,
                                             "renewTime": .string(APITime.microTime()), "leaseTransitions": 4]]
            _ = try await cluster.client.create(.leases, stale)
            let leadership = Leadership()
            let elector = LeaderElector(client: cluster.client, leaseNamespace: "default", leaseName: "stale", identity: "heir", timings: Self.timings)
            let run = Task { await elector.run(lead: leadership.lead("heir")) }
            defer { run.cancel() }
            #expect(try await eventually { leadership.snapshot.current == ["heir"] })
            let lease = Lease(try await cluster.client.get(.leases, namespace: "default", name: "stale"))
            #expect(lease.holderIdentity == "heir")
            #expect(lease.leaseTransitions == 5)
            #expect(lease.acquireTime != nil)
            run.cancel()
            await run.value
            // Released on cancellation.
            let released = Lease(try await cluster.client.get(.leases, namespace: "default", name: "stale"))
            #expect(released.holderIdentity == "")
        }
    }
}
