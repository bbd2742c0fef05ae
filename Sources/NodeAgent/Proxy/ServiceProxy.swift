import Foundation
import Logging
import Synchronization

/// Programs the node's service rules: given the services it should proxy, it keeps one
/// nftables table in step — a full replace the first time (and after a failure), then only
/// the delta. `update` is cheap to call on every change; the sync that follows coalesces.
public final class ServiceProxy: Sendable {
    public let table: String
    let logger: Logger
    let applied = Mutex<NFTablesProxyRules?>(nil)

    public init(table: String = "skiff", logger: Logger = Logger(label: "skiff.proxy")) {
        self.table = table
        self.logger = logger
    }

    /// Kernel settings the rules need: forwarding for pod traffic, `route_localnet` so a
    /// NodePort answers on 127.0.0.1 (its DNATed packets leave loopback).
    public static func prepareKernel() {
        for (path, value) in [("/proc/sys/net/ipv4/ip_forward", "1"), ("/proc/sys/net/ipv4/conf/all/route_localnet", "1")] {
            try? value.write(toFile: path, atomically: false, encoding: .utf8)
        }
    }

    /// Makes the table match `services`; throws what nft said when it refuses (then the next
    /// call starts over with a full replace).
    public func sync(_ services: [ProxyService]) throws {
        let wanted = NFTablesProxyRules.build(services)
        let script = NFTablesScript(table: table)
        try applied.withLock { applied in
            let text: String
            if let current = applied {
                guard current != wanted else { return }
                text = script.delta(from: current, to: wanted)
            } else {
                text = script.full(wanted)
            }
            do {
                try NFTables.apply(text)
                applied = wanted
            } catch {
                applied = nil
                throw error
            }
        }
    }

    /// Removes the table (on `skiff down` and at the end of tests).
    public func remove() {
        applied.withLock { $0 = nil }
        NFTables.deleteTable(table)
    }
}
