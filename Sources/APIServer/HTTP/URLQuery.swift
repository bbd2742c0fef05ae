import Foundation

/// The decoded query of a request URL: every value of every name, in order, with `+` as space
/// and percent escapes decoded (what Go's `url.ParseQuery` gives Kubernetes).
struct URLQuery: Sendable {
    var values: [String: [String]]

    init(_ raw: String?) {
        var values: [String: [String]] = [:]
        for pair in (raw ?? "").split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decode(parts[0])
            let value = parts.count > 1 ? Self.decode(parts[1]) : ""
            guard !name.isEmpty else { continue }
            values[name, default: []].append(value)
        }
        self.values = values
    }

    subscript(name: String) -> String? { values[name]?.first }

    /// Go's `strconv.ParseBool` spellings, as Kubernetes accepts them for `watch` and friends.
    func flag(_ name: String) -> Bool {
        guard let value = self[name] else { return false }
        return ["1", "t", "T", "true", "TRUE", "True"].contains(value)
    }

    static func decode<S: StringProtocol>(_ text: S) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"): bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                let high = iterator.next(), low = iterator.next()
                if let high, let low, let h = hexValue(high), let l = hexValue(low) {
                    bytes.append(h << 4 | l)
                } else {
                    bytes.append(byte)
                    if let high { bytes.append(high) }
                    if let low { bytes.append(low) }
                }
            default: bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Percent-decoding only (no `+`), for path segments.
    static func decodePathSegment<S: StringProtocol>(_ text: S) -> String {
        guard text.contains("%") else { return String(text) }
        return decode(text.replacingOccurrences(of: "+", with: "%2B"))
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
