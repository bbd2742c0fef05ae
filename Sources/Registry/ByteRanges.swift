/// Parsing of the two range headers the registry reads.
enum ByteRanges {
    /// A `Range: bytes=…` request header against content of `size` bytes: one range, as
    /// `first-last`, `first-` or `-suffixLength`. Nil when malformed or unsatisfiable (both
    /// answered with 416 and `Content-Range: bytes */size`).
    static func parseRange(_ header: String, size: Int64) -> ClosedRange<Int64>? {
        let trimmed = header.trimmingSpaces
        guard trimmed.hasPrefix("bytes=") else { return nil }
        let spec = trimmed.dropFirst("bytes=".count)
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { return nil }
        let first = spec[..<dash], last = spec[spec.index(after: dash)...]
        if first.isEmpty {
            guard let suffix = Int64(last), suffix > 0, size > 0 else { return nil }
            return max(0, size - suffix)...(size - 1)
        }
        guard let start = Int64(first), start >= 0, start < size else { return nil }
        if last.isEmpty { return start...(size - 1) }
        guard let end = Int64(last), end >= start else { return nil }
        return start...min(end, size - 1)
    }

    /// A `Content-Range` header of a chunk upload: `first-last` (the registry convention),
    /// also accepted with a `bytes ` or `bytes=` prefix and a `/total` suffix. Nil if malformed.
    static func parseContentRange(_ header: String) -> ClosedRange<Int64>? {
        var spec = Substring(header.trimmingSpaces)
        if spec.hasPrefix("bytes ") || spec.hasPrefix("bytes=") { spec = spec.dropFirst(6) }
        if let slash = spec.firstIndex(of: "/") { spec = spec[..<slash] }
        guard let dash = spec.firstIndex(of: "-"),
              let start = Int64(spec[..<dash]), let end = Int64(spec[spec.index(after: dash)...]),
              start >= 0, end >= start
        else { return nil }
        return start...end
    }

    /// The `Range` header value of an upload holding `size` bytes: `0-<last byte>`, and
    /// `0-0` for an empty upload (what clients expect from distribution registries).
    static func uploadRange(size: Int64) -> String {
        "0-\(max(0, size - 1))"
    }
}

extension String {
    var trimmingSpaces: String {
        String(self.drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}
