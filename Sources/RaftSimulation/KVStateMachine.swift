/// The tiny replicated state machine: string keys to string values, with each client request
/// applied at most once (a forwarded proposal can be duplicated by the network).
public struct KVStateMachine: Sendable, Equatable {
    public private(set) var values: [String: String] = [:]
    private var seen: Set<UInt64> = []

    public init() {}

    /// Applies a committed command; returns the value a `get` observes.
    public mutating func apply(_ command: Command) -> String? {
        switch command.kind {
        case .put:
            if seen.insert(command.requestID).inserted {
                values[command.key] = command.value
            }
            return nil
        case .get:
            return values[command.key]
        }
    }

    /// A deterministic encoding (sorted) for snapshots.
    public func snapshotData() -> [UInt8] {
        var out: [UInt8] = []
        let keys = values.keys.sorted()
        append(&out, UInt64(keys.count))
        for k in keys {
            encodeString(&out, k)
            encodeString(&out, values[k] ?? "")
        }
        let ids = seen.sorted()
        append(&out, UInt64(ids.count))
        for id in ids { append(&out, id) }
        return out
    }

    public init(snapshotData bytes: [UInt8]) {
        if bytes.isEmpty { return }
        var at = 0
        let count = read(bytes, at); at += 8
        for _ in 0..<count {
            let k = decodeString(bytes, &at)
            let v = decodeString(bytes, &at)
            values[k] = v
        }
        let ids = read(bytes, at); at += 8
        for _ in 0..<ids {
            seen.insert(read(bytes, at))
            at += 8
        }
    }
}

private func encodeString(_ out: inout [UInt8], _ s: String) {
    let b = Array(s.utf8)
    append(&out, UInt64(b.count))
    out.append(contentsOf: b)
}

private func decodeString(_ bytes: [UInt8], _ at: inout Int) -> String {
    let n = Int(read(bytes, at))
    at += 8
    let s = String(decoding: bytes[at..<(at + n)], as: UTF8.self)
    at += n
    return s
}
