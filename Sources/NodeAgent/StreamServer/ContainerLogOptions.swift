import Foundation

/// The query of `GET /containerLogs/…` (as `pods/log` defines it): which part of the log to
/// send and how.
struct ContainerLogOptions: Sendable, Equatable {
    var follow = false
    var previous = false
    var timestamps = false
    var tailLines: Int?
    var limitBytes: Int?
    /// Only lines logged at or after this instant (`sinceTime`, or now − `sinceSeconds`).
    var since: Date?

    /// Parses the query; a malformed value is a clear error, not a silently ignored option.
    init(query: [String: [String]], now: Date = Date()) throws(StreamRequestError) {
        func flag(_ name: String) throws(StreamRequestError) -> Bool {
            guard let value = query[name]?.last else { return false }
            switch value.lowercased() {
            case "", "true", "1": return true
            case "false", "0": return false
            default: throw .badRequest("\(name)=\(value) is not a boolean")
            }
        }
        func integer(_ name: String, minimum: Int) throws(StreamRequestError) -> Int? {
            guard let value = query[name]?.last else { return nil }
            guard let n = Int(value), n >= minimum else { throw .badRequest("\(name)=\(value) must be an integer ≥ \(minimum)") }
            return n
        }
        follow = try flag("follow")
        previous = try flag("previous")
        timestamps = try flag("timestamps")
        tailLines = try integer("tailLines", minimum: 0)
        limitBytes = try integer("limitBytes", minimum: 1)
        if let seconds = try integer("sinceSeconds", minimum: 1) {
            since = now.addingTimeInterval(-Double(seconds))
        }
        if let text = query["sinceTime"]?.last {
            guard since == nil else { throw .badRequest("at most one of sinceTime or sinceSeconds may be specified") }
            guard let date = CRITimestamp.parse(text) else { throw .badRequest("sinceTime=\(text) is not an RFC 3339 time") }
            since = date
        }
    }

    init() {}
}

/// RFC 3339 times as CRI logs carry them (nanoseconds, UTC) and as Kubernetes prints them
/// (RFC3339Nano: trailing zeros of the fraction dropped).
enum CRITimestamp {
    static func parse(_ text: String) -> Date? {
        // Split off the fraction: ISO8601DateFormatter handles at most milliseconds.
        var base = text, fraction = 0.0
        if let dot = text.firstIndex(of: ".") {
            let afterDot = text[text.index(after: dot)...]
            let digits = afterDot.prefix { $0.isNumber }
            fraction = Double("0." + digits) ?? 0
            base = String(text[..<dot]) + String(afterDot.dropFirst(digits.count))
        }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: base).map { $0.addingTimeInterval(fraction) }
    }

    /// `2024-01-02T03:04:05.120000000Z` → `2024-01-02T03:04:05.12Z`.
    static func rfc3339Nano(_ text: String) -> String {
        guard let dot = text.firstIndex(of: "."), let zone = text[dot...].firstIndex(where: { !$0.isNumber && $0 != "." }) else {
            return text
        }
        var digits = String(text[text.index(after: dot)..<zone])
        while digits.hasSuffix("0") { digits.removeLast() }
        return String(text[..<dot]) + (digits.isEmpty ? "" : "." + digits) + String(text[zone...])
    }
}
