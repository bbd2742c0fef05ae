import APIModel
import Foundation

/// The write options every mutating verb reads from the query: `dryRun`, `fieldValidation`,
/// `fieldManager` (or the User-Agent's product name), and the one timestamp the write uses.
struct WriteOptions: Sendable {
    var dryRun: Bool
    var fieldValidation: FieldValidationMode
    var fieldManager: String
    /// The RFC 3339 time of this request, used for creationTimestamp, deletionTimestamp and
    /// managedFields so that one write carries one time.
    var time: String
    var date: Date
    /// The subresource managedFields attribute the write to, when it differs from the scope's.
    var subresource: String? = nil

    init(_ request: RESTRequest, now: Date) throws {
        dryRun = try Self.parseDryRun(request.query["dryRun"] ?? [])
        do {
            fieldValidation = try FieldValidationMode(queryValue: request.queryValue("fieldValidation"))
        } catch let error as BodyDecodingError {
            throw APIError.badRequest(error.description)
        }
        fieldManager = try Self.manager(query: request.queryValue("fieldManager"), userAgent: request.userAgent)
        date = now
        time = Timestamps.format(now)
    }

    /// Only `All` is a dry-run value; an empty value means "not dry".
    static func parseDryRun(_ values: [String]) throws -> Bool {
        var dry = false
        for value in values where !value.isEmpty {
            guard value == "All" else {
                throw APIError.badRequest("Invalid dryRun value: \(value). Valid values: All")
            }
            dry = true
        }
        return dry
    }

    /// Kubernetes' rule: an explicit `fieldManager` wins (at most 128 characters, printable);
    /// otherwise the User-Agent's text before the first `/` (`kubectl/v1.32.4 (…)` → `kubectl`).
    static func manager(query: String?, userAgent: String?) throws -> String {
        if let query, !query.isEmpty {
            guard query.count <= 128 else {
                throw APIError.badRequest("fieldManager: Too long: may not be more than 128 bytes")
            }
            guard query.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7f }) else {
                throw APIError.badRequest("fieldManager: Invalid value: \"\(query)\": may only contain printable characters")
            }
            return query
        }
        let agent = userAgent ?? ""
        let prefix = agent.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        let cleaned = String(prefix.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7f }.prefix(128).map(Character.init))
        return cleaned.isEmpty ? "unknown" : cleaned
    }
}

/// RFC 3339 timestamps at second precision in UTC, as Kubernetes writes metav1.Time.
enum Timestamps {
    static func format(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "UTC") ?? .current))
    }

    static func parse(_ text: String) -> Date? {
        try? Date.ISO8601FormatStyle().parse(text)
    }
}
