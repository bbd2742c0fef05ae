import Logging

/// Turns one query into one response: cluster names from the current table (authoritative),
/// everything else forwarded to the host's resolvers — or SERVFAIL at once when the host has
/// none, so a pod's lookup of an outside name fails fast instead of timing out.
public struct ClusterDNSResponder: Sendable {
    public let table: @Sendable () -> ClusterDNSTable
    public let forwarder: DNSForwarder?
    /// Reverse zones of the cluster's own ranges (service and pod CIDRs): unknown addresses in
    /// them are NXDOMAIN here instead of being asked upstream.
    public let reverseZones: [String]

    public init(table: @escaping @Sendable () -> ClusterDNSTable, forwarder: DNSForwarder?,
                reverseZones: [String] = ["43.10.in-addr.arpa", "42.10.in-addr.arpa"]) {
        self.table = table
        self.forwarder = forwarder
        self.reverseZones = reverseZones
    }

    /// `maxUDPSize` is nil over TCP.
    public func respond(to bytes: [UInt8], overUDP: Bool) async -> [UInt8]? {
        let query: DNSQuery
        do {
            query = try DNSWire.parseQuery(bytes)
        } catch .notAQuery {
            return nil
        } catch {
            guard bytes.count >= 2 else { return nil }
            return DNSWire.errorResponse(id: UInt16(bytes[0]) << 8 | UInt16(bytes[1]), query: nil, code: .formatError)
        }
        let maxSize = overUDP ? (query.ednsPayloadSize.map { min($0, DNSServerLimits.ednsPayloadSize) } ?? DNSServerLimits.classicUDPSize) : nil
        guard query.opcode == 0 else { return DNSWire.errorResponse(id: query.id, query: query, code: .notImplemented) }
        guard query.qclass == 1 || query.qclass == 255 else {
            return DNSWire.errorResponse(id: query.id, query: query, code: .refused)
        }
        let table = table()
        let lower = query.name.lowercased()
        let ownsReverse = reverseZones.contains { lower == $0 || lower.hasSuffix("." + $0) }
        if table.isAuthoritative(for: query.name) || ownsReverse {
            let answer = table.lookup(query.name, type: query.type)
            let authority = answer.answers.isEmpty ? [table.soa] : []
            return DNSWire.response(to: query, code: answer.code, authoritative: true, answers: answer.answers,
                                    authority: authority, additional: answer.additional, maxSize: maxSize)
        }
        guard let forwarder else { return DNSWire.errorResponse(id: query.id, query: query, code: .serverFailure) }
        if let forwarded = await forwarder.forward(bytes, overUDP: overUDP) { return forwarded }
        return DNSWire.errorResponse(id: query.id, query: query, code: .serverFailure)
    }
}
