import Foundation

/// RFC 3339 timestamps at second precision in UTC, as Kubernetes writes `metav1.Time`.
enum ControllerTime {
    static func format(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "UTC") ?? .current))
    }

    static func parse(_ text: String?) -> Date? {
        guard let text, !text.isEmpty else { return nil }
        if let date = try? Date.ISO8601FormatStyle().parse(text) { return date }
        // MicroTime (`2024-01-01T00:00:00.123456Z`), as Leases carry.
        return try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text)
    }

    static var now: String { format(Date()) }
}
