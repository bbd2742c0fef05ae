import Foundation

@testable import APIModel

/// A fixed clock and timestamp helpers for the table tests.
enum TableClock {
    static let now = Date(timeIntervalSince1970: 1_700_000_000)

    /// An RFC 3339 timestamp `seconds` before `now`.
    static func ago(_ seconds: Double) -> JSONValue {
        .string(ProtobufTime.rfc3339(seconds: Int64(now.timeIntervalSince1970 - seconds), nanos: 0, micro: false))
    }

    static func resource(_ group: String, _ kind: String) -> ResourceInfo {
        guard let r = ResourceRegistry.all.first(where: { $0.group == group && $0.kind == kind }) else {
            fatalError("no resource \(group)/\(kind)")
        }
        return r
    }

    static func cells(_ group: String, _ kind: String, _ object: JSONValue) -> [JSONValue] {
        TableConvertor.cells(for: object, resource: resource(group, kind), now: now)
    }

    /// The cells by column name, for readable assertions.
    static func row(_ group: String, _ kind: String, _ object: JSONValue) -> [String: JSONValue] {
        let r = resource(group, kind)
        let names = TableConvertor.columnDefinitions(for: r).compactMap { $0["name"]?.stringValue }
        let cells = TableConvertor.cells(for: object, resource: r, now: now)
        var row: [String: JSONValue] = [:]
        for (name, cell) in zip(names, cells) { row[name] = cell }
        return row
    }
}
