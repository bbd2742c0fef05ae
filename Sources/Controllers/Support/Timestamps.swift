import Foundation

/// RFC 3339 timestamps as the API carries them (`2024-05-01T12:00:00Z`), read and written
/// without a shared formatter (the format styles are values, so this is safe from any task).
enum Timestamps {
    /// Parses `metadata.creationTimestamp`-style values; fractional seconds are accepted too.
    static func parse(_ text: String?) -> Date? {
        guard let text, !text.isEmpty else { return nil }
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle()) { return date }
        return try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    /// Formats with whole seconds in UTC, as Kubernetes' `metav1.Time` serialises.
    static func format(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle())
    }
}
