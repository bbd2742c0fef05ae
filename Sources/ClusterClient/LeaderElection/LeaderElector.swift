import APIModel
import Foundation
import Logging

/// Timings of leader election, Kubernetes' defaults.
public struct LeaderElectionTimings: Sendable, Hashable {
    public var leaseDuration: Duration
    public var renewDeadline: Duration
    public var retryPeriod: Duration

    public init(leaseDuration: Duration = .seconds(15), renewDeadline: Duration = .seconds(10),
                retryPeriod: Duration = .seconds(2)) {
        self.leaseDuration = leaseDuration
        self.renewDeadline = renewDeadline
        self.retryPeriod = retryPeriod
    }
}

/// Leader election on a `coordination.k8s.io/v1` Lease (client-go's leaderelection): the
/// holder renews every `retryPeriod`; a candidate takes the lease once it has not been
/// renewed for `leaseDuration`; a leader that cannot renew within `renewDeadline` stops
/// leading. With several `skiff server`s exactly one scheduler and one controller manager act.
///
/// Expiry is judged by each candidate's own clock: the time it last saw the lease record
/// change, plus the record's `leaseDurationSeconds` (as client-go does), so clocks of
/// different machines never need to agree. Every write is a PUT on the resourceVersion read,
/// so two candidates can never both win the same round.
public struct LeaderElector: Sendable {
    public let leaseNamespace: String
    public let leaseName: String
    public let identity: String
    public let timings: LeaderElectionTimings
    let client: ClusterClient
    let logger: Logger

    public init(client: ClusterClient, leaseNamespace: String = "kube-system", leaseName: String, identity: String,
                timings: LeaderElectionTimings = LeaderElectionTimings(), logger: Logger? = nil) {
        self.leaseNamespace = leaseNamespace
        self.leaseName = leaseName
        self.identity = identity
        self.timings = timings
        self.client = client
        var logger = logger ?? client.logger
        logger[metadataKey: "lease"] = "\(leaseNamespace)/\(leaseName)"
        logger[metadataKey: "identity"] = "\(identity)"
        self.logger = logger
    }

    /// Campaigns until leader, then runs `lead` in a child task; when leadership is lost,
    /// `lead` is cancelled and campaigning starts again. Returns when the calling task is
    /// cancelled (releasing the lease if held, so a successor need not wait out the lease).
    public func run(lead: @escaping @Sendable () async -> Void) async {
        var observer = LeaseObserver()
        while !Task.isCancelled {
            switch await tryAcquireOrRenew(&observer) {
            case .held:
                logger.info("became leader")
            case .heldByOther, .failed:
                guard await pause(jittered(timings.retryPeriod)) else { return }
                continue
            }
            let leading = Task { await lead() }
            await renewWhileLeading(&observer)
            leading.cancel()
            await leading.value
            if Task.isCancelled {
                await release(observer)
                return
            }
            logger.warning("lost leadership")
        }
    }

    enum Attempt {
        case held
        case heldByOther(String)
        case failed(any Error)
    }

    /// Renews every `retryPeriod` until the lease is lost (another holder, or no successful
    /// renewal within `renewDeadline`) or the task is cancelled.
    private func renewWhileLeading(_ observer: inout LeaseObserver) async {
        var lastRenewal = ContinuousClock.now
        while true {
            guard await pause(timings.retryPeriod) else { return }
            switch await tryAcquireOrRenew(&observer) {
            case .held:
                lastRenewal = .now
            case .heldByOther(let holder):
                logger.info("the lease is held by another", metadata: ["holder": "\(holder)"])
                return
            case .failed(let error):
                logger.warning("could not renew the lease", metadata: ["error": "\(error)"])
                if ContinuousClock.now - lastRenewal >= timings.renewDeadline { return }
            }
        }
    }

    /// One round: read the lease, take or renew it if it is ours or expired.
    func tryAcquireOrRenew(_ observer: inout LeaseObserver) async -> Attempt {
        let now = Date()
        let stamp = APITime.microTime(now)
        let current: JSONValue
        do {
            current = try await client.get(.leases, namespace: leaseNamespace, name: leaseName)
        } catch let error as ClientError where error.isNotFound {
            var lease = Lease(["apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                               "metadata": ["name": .string(leaseName), "namespace": .string(leaseNamespace)]])
            lease.holderIdentity = identity
            lease.leaseDurationSeconds = leaseDurationSeconds
            lease.acquireTime = stamp
            lease.renewTime = stamp
            lease.leaseTransitions = 0
            do {
                let created = try await client.create(.leases, namespace: leaseNamespace, lease.object)
                observer.observe(created)
                return .held
            } catch {
                return .failed(error)
            }
        } catch {
            return .failed(error)
        }
        observer.observe(current)
        var lease = Lease(current)
        let holder = lease.holderIdentity ?? ""
        if !holder.isEmpty, holder != identity {
            let duration = Duration.seconds(lease.leaseDurationSeconds ?? leaseDurationSeconds)
            if ContinuousClock.now < observer.observedAt + duration { return .heldByOther(holder) }
        }
        if holder != identity {
            lease.acquireTime = stamp
            lease.leaseTransitions += 1
        }
        lease.holderIdentity = identity
        lease.leaseDurationSeconds = leaseDurationSeconds
        lease.renewTime = stamp
        do {
            let updated = try await client.update(.leases, lease.object)
            observer.observe(updated)
            return .held
        } catch let error as ClientError where error.isConflict {
            // Someone else wrote first this round; the next round re-reads.
            return holder == identity ? .failed(error) : .heldByOther(holder.isEmpty ? "unknown" : holder)
        } catch {
            return .failed(error)
        }
    }

    /// Gives the lease up (empty holder, one-second duration) so a successor acquires at once.
    /// Runs in its own task: the caller's is cancelled, which would cancel the request.
    private func release(_ observer: LeaseObserver) async {
        let client = self.client, identity = self.identity, namespace = leaseNamespace, name = leaseName, logger = self.logger
        await Task {
            do {
                var lease = Lease(try await client.get(.leases, namespace: namespace, name: name))
                guard lease.holderIdentity == identity else { return }
                lease.holderIdentity = ""
                lease.leaseDurationSeconds = 1
                lease.renewTime = APITime.microTime()
                _ = try await client.update(.leases, lease.object)
                logger.info("released the lease")
            } catch {
                logger.warning("could not release the lease", metadata: ["error": "\(error)"])
            }
        }.value
    }

    var leaseDurationSeconds: Int {
        let components = timings.leaseDuration.components
        return max(1, Int(components.seconds) + (components.attoseconds > 0 ? 1 : 0))
    }

    /// client-go's wait.Jitter(retryPeriod, 1.2): up to 120 % more.
    private func jittered(_ duration: Duration) -> Duration {
        duration + duration * Double.random(in: 0..<1.2)
    }

    private func pause(_ duration: Duration) async -> Bool {
        do {
            try await Task.sleep(for: duration)
            return true
        } catch {
            return false
        }
    }
}

/// When this candidate last saw the lease record change (its own observation clock).
struct LeaseObserver {
    var record: JSONValue?
    var observedAt = ContinuousClock.now

    mutating func observe(_ lease: JSONValue) {
        let spec = lease["spec"] ?? .null
        if record != spec {
            record = spec
            observedAt = .now
        }
    }
}
