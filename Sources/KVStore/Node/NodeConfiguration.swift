import Foundation
import NIOSSL
import Raft

/// Everything a store member needs to start; built from `skiff store run` flags or by the
/// server's composition root. Plain values, no behaviour beyond validation.
public struct NodeConfiguration: Sendable {
    /// Human name of this member; with `clusterToken` it fixes the id of a founding member.
    public var name: String
    /// Holds the WAL, snapshots and the member files. Created if missing.
    public var dataDirectory: URL
    /// Where the HTTP/JSON endpoint listens, e.g. `http://127.0.0.1:2379`.
    public var clientURL: String
    /// Where peers connect for Raft traffic.
    public var peerAddress: PeerAddress
    /// Founding members (name → peer address), this one included. Empty when joining.
    public var initialCluster: [(name: String, address: PeerAddress)]
    /// Client URL of a running member to join through (as a learner, promoted once caught up).
    public var join: String?
    /// Distinguishes clusters whose members have the same names.
    public var clusterToken: String = "skiff"
    /// Mutual TLS on the peer port (both directions). Nil: plain TCP.
    public var peerTLS: PeerTLS?
    /// How this member verifies other members' client endpoints when it calls them itself
    /// (`--join` and the promotion that follows) if they are https:// URLs.
    public var clientTLS: TLSConfiguration?

    /// One Raft tick. etcd's default heartbeat is 100 ms.
    public var tickInterval: Duration = .milliseconds(100)
    /// Election timeout in ticks (etcd: 1000 ms = 10 ticks).
    public var electionTicks: Int = 10
    /// Heartbeat interval in ticks.
    public var heartbeatTicks: Int = 1
    /// Take a state-machine snapshot and compact the log every this many applied entries.
    public var snapshotEvery: UInt64 = 10_000
    /// Entries kept in the log behind a snapshot, so slightly lagging followers catch up by
    /// appends instead of a whole snapshot.
    public var retainedEntries: UInt64 = 5_000
    /// How long a client request waits for its outcome before "unknown outcome".
    public var requestTimeout: Duration = .seconds(5)

    public init(
        name: String, dataDirectory: URL, clientURL: String, peerAddress: PeerAddress,
        initialCluster: [(name: String, address: PeerAddress)], join: String? = nil
    ) {
        self.name = name
        self.dataDirectory = dataDirectory
        self.clientURL = clientURL
        self.peerAddress = peerAddress
        self.initialCluster = initialCluster
        self.join = join
    }

    /// Parses `n1=host:port,n2=host:port` (a scheme such as `http://` is accepted and ignored).
    public static func parseInitialCluster(_ text: String) throws -> [(name: String, address: PeerAddress)] {
        var result: [(name: String, address: PeerAddress)] = []
        for item in text.split(separator: ",") {
            let parts = item.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, !parts[0].isEmpty else {
                throw NodeError.invalidConfiguration(
                    "--initial-cluster entry '\(item)' is not of the form name=host:port")
            }
            let name = String(parts[0])
            guard !result.contains(where: { $0.name == name }) else {
                throw NodeError.invalidConfiguration("--initial-cluster names '\(name)' twice")
            }
            do {
                result.append((name, try PeerAddress(parsing: String(parts[1]))))
            } catch {
                throw NodeError.invalidConfiguration("--initial-cluster entry '\(item)': \(error)")
            }
        }
        return result
    }

    public func validate() throws {
        if name.isEmpty { throw NodeError.invalidConfiguration("the member name must not be empty") }
        if electionTicks <= heartbeatTicks {
            throw NodeError.invalidConfiguration(
                "the election timeout (\(electionTicks) ticks) must be longer than the heartbeat (\(heartbeatTicks) ticks)")
        }
        if join == nil {
            guard let me = initialCluster.first(where: { $0.name == name }) else {
                throw NodeError.invalidConfiguration(
                    "--initial-cluster must list this member '\(name)' (or use --join to join a running cluster)")
            }
            if me.address != peerAddress {
                throw NodeError.invalidConfiguration(
                    "--initial-cluster gives '\(name)' the peer address \(me.address) but --listen-peer is \(peerAddress)")
            }
        }
        if snapshotEvery == 0 { throw NodeError.invalidConfiguration("the snapshot interval must be positive") }
    }
}
