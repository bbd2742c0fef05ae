import APIModel
import KVStore

/// Cluster IPs and node ports for Services, claimed in the store so two apiservers (or two
/// concurrent creates) can never hand out the same one: each address or port is a key under
/// `/registry/ranges/…`, created by a transaction only if it does not exist yet — the store's
/// compare-and-swap is the lock. Released when the Service is deleted.
struct ServiceAllocator: Sendable {
    let store: any KeyValueStore
    /// 10.43.0.0/16 (k3s's default service CIDR).
    let network: UInt32
    let prefixLength: Int
    let nodePorts: ClosedRange<Int>

    static let ipPrefix = "/registry/ranges/serviceips/"
    static let portPrefix = "/registry/ranges/servicenodeports/"
    /// Kept for the `kubernetes` service (first address) and the cluster DNS (tenth).
    var reserved: Set<UInt32> { [network + 1, network + 10] }

    init(store: any KeyValueStore, serviceCIDR: String = "10.43.0.0/16", nodePorts: ClosedRange<Int> = 30000...32767) {
        self.store = store
        let parts = serviceCIDR.split(separator: "/")
        self.network = Self.parse(String(parts.first ?? "10.43.0.0")) ?? 0x0A2B_0000
        self.prefixLength = parts.count > 1 ? Int(parts[1]) ?? 16 : 16
        self.nodePorts = nodePorts
    }

    static func parse(_ text: String) -> UInt32? {
        let parts = text.split(separator: ".").compactMap { UInt32($0) }
        guard parts.count == 4, parts.allSatisfy({ $0 < 256 }) else { return nil }
        return parts[0] << 24 | parts[1] << 16 | parts[2] << 8 | parts[3]
    }

    static func render(_ address: UInt32) -> String {
        "\(address >> 24).\(address >> 16 & 0xFF).\(address >> 8 & 0xFF).\(address & 0xFF)"
    }

    var size: UInt32 { prefixLength >= 32 ? 1 : UInt32(1) << UInt32(32 - prefixLength) }

    func contains(_ address: UInt32) -> Bool { address & ~(size - 1) == network }

    /// Creates `key` with `owner` as its value unless it exists; true when this call made it.
    func claim(_ key: String, owner: String) async throws -> Bool {
        let bytes = Array(key.utf8)
        let response = try await store.txn(KV.TxnRequest(
            compare: [KV.Compare(key: bytes, target: .create, result: .equal, operand: 0)],
            success: [KV.RequestOp(put: KV.PutRequest(key: bytes, value: Array(owner.utf8)))],
            failure: []))
        return response.succeeded
    }

    func release(_ key: String) async {
        _ = try? await store.deleteRange(KV.DeleteRangeRequest(key: Array(key.utf8)))
    }

    /// A specific address (the user's `spec.clusterIP`), or a free one at random.
    func allocateIP(requested: String?, owner: String) async throws -> String {
        if let requested {
            guard let address = Self.parse(requested), contains(address), address != network, address != network + size - 1 else {
                throw ServiceAllocationError.invalid(field: "spec.clusterIPs", value: requested,
                                                     message: "provided IP is not in the valid range. The range of valid IPs is \(Self.render(network))/\(prefixLength)")
            }
            guard try await claim(Self.ipPrefix + requested, owner: owner) else {
                throw ServiceAllocationError.invalid(field: "spec.clusterIPs", value: requested, message: "provided IP is already allocated")
            }
            return requested
        }
        var random = SystemRandomNumberGenerator()
        for attempt in 0..<Int(min(size, 4096)) {
            let offset = attempt < 64 ? UInt32.random(in: 2..<(size - 1), using: &random) : UInt32(attempt % Int(size - 2)) + 2
            let address = network + offset
            if reserved.contains(address) { continue }
            if try await claim(Self.ipPrefix + Self.render(address), owner: owner) { return Self.render(address) }
        }
        throw ServiceAllocationError.exhausted("no cluster IP left in \(Self.render(network))/\(prefixLength)")
    }

    func allocatePort(requested: Int?, owner: String, index: Int) async throws -> Int {
        if let requested {
            guard nodePorts.contains(requested) else {
                throw ServiceAllocationError.invalid(field: "spec.ports[\(index)].nodePort", value: String(requested),
                                                     message: "provided port is not in the valid range. The range of valid ports is \(nodePorts.lowerBound)-\(nodePorts.upperBound)")
            }
            guard try await claim(Self.portPrefix + String(requested), owner: owner) else {
                throw ServiceAllocationError.invalid(field: "spec.ports[\(index)].nodePort", value: String(requested),
                                                     message: "provided port is already allocated")
            }
            return requested
        }
        for attempt in 0..<nodePorts.count {
            let port = attempt < 64 ? Int.random(in: nodePorts) : nodePorts.lowerBound + attempt
            if try await claim(Self.portPrefix + String(port), owner: owner) { return port }
        }
        throw ServiceAllocationError.exhausted("no node port left in \(nodePorts.lowerBound)-\(nodePorts.upperBound)")
    }

    /// Fills `spec.clusterIP(s)` and node ports of a Service being created; returns the keys
    /// claimed, to release if the create fails.
    func allocate(_ service: inout JSONValue) async throws -> [String] {
        let type = service["spec"]?["type"]?.stringValue ?? "ClusterIP"
        guard type != "ExternalName" else { return [] }
        let owner = "\(service.metaString("namespace") ?? "")/\(service.metaString("name") ?? "")"
        var claimed: [String] = []
        do {
            let requested = service["spec"]?["clusterIP"]?.stringValue ?? service["spec"]?["clusterIPs"]?[0]?.stringValue
            if requested != "None" {
                let ip = try await allocateIP(requested: (requested?.isEmpty ?? true) ? nil : requested, owner: owner)
                claimed.append(Self.ipPrefix + ip)
                service.modify("spec") { spec in
                    spec?.modify("clusterIP") { $0 = .string(ip) }
                    spec?.modify("clusterIPs") { $0 = [.string(ip)] }
                }
            }
            if type == "NodePort" || type == "LoadBalancer" {
                var ports = service["spec"]?["ports"]?.arrayValue ?? []
                for index in ports.indices {
                    let requestedPort = ports[index]["nodePort"]?.intValue.map(Int.init).flatMap { $0 == 0 ? nil : $0 }
                    let port = try await allocatePort(requested: requestedPort, owner: owner, index: index)
                    claimed.append(Self.portPrefix + String(port))
                    ports[index].modify("nodePort") { $0 = .int(Int64(port)) }
                }
                service.modify("spec") { spec in spec?.modify("ports") { $0 = .array(ports) } }
            }
            return claimed
        } catch {
            for key in claimed { await release(key) }
            throw error
        }
    }

    /// Releases what a deleted Service held.
    func releaseAll(of service: JSONValue) async {
        for ip in service["spec"]?["clusterIPs"]?.arrayValue?.compactMap(\.stringValue) ?? [] where ip != "None" {
            await release(Self.ipPrefix + ip)
        }
        for port in service["spec"]?["ports"]?.arrayValue ?? [] {
            if let nodePort = port["nodePort"]?.intValue, nodePort > 0 { await release(Self.portPrefix + String(nodePort)) }
        }
    }
}

enum ServiceAllocationError: Error {
    case invalid(field: String, value: String, message: String)
    case exhausted(String)
}
