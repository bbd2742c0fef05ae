import Foundation

/// `kubectl get events`: Last Seen, Type, Reason, Object, Message, and wide Subobject, Source,
/// First Seen, Count, Name. core/v1 and events.k8s.io/v1 Events print alike; the latter's
/// fields (`regarding`, `note`, `deprecated*`) are read under their own names.
enum EventTablePrinter {
    static let columns: [TableColumn] = [
        TableColumn("Last Seen", "Time since the event was last observed."),
        TableColumn("Type", "Normal or Warning."),
        TableColumn("Reason", "Why the event happened (CamelCase)."),
        TableColumn("Object", "The object the event is about, kind/name."),
        TableColumn("Subobject", priority: 1, "The part of the object (fieldPath)."),
        TableColumn("Source", priority: 1, "The component (and host) that reported it."),
        TableColumn("Message", "What happened."),
        TableColumn("First Seen", priority: 1, "Time since the event was first observed."),
        TableColumn("Count", priority: 1, "How many times it was observed."),
        .nameColumn(priority: 1),
    ]

    static let core = TablePrinter(columns: columns) { event, now in
        cells(event, fields: Fields(involvedObject: "involvedObject", message: "message", firstTimestamp: "firstTimestamp",
                                    lastTimestamp: "lastTimestamp", count: "count", source: "source",
                                    reportingController: "reportingComponent"), now: now)
    }

    static let eventsV1 = TablePrinter(columns: columns) { event, now in
        cells(event, fields: Fields(involvedObject: "regarding", message: "note", firstTimestamp: "deprecatedFirstTimestamp",
                                    lastTimestamp: "deprecatedLastTimestamp", count: "deprecatedCount", source: "deprecatedSource",
                                    reportingController: "reportingController"), now: now)
    }

    struct Fields {
        var involvedObject, message, firstTimestamp, lastTimestamp, count, source, reportingController: String
    }

    static func cells(_ event: JSONValue, fields f: Fields, now: Date) -> [JSONValue] {
        var first = HumanDuration.since(event[f.firstTimestamp], now: now)
        if TableTimestamp.date(event[f.firstTimestamp]) == nil {
            first = HumanDuration.since(event["eventTime"], now: now)
        }
        var last = HumanDuration.since(event[f.lastTimestamp], now: now)
        if TableTimestamp.date(event[f.lastTimestamp]) == nil { last = first }
        var count = event[f.count]?.intValue ?? 0
        if event.tableHas("series") {
            last = HumanDuration.since(event.value(at: ["series", "lastObservedTime"]), now: now)
            count = event.tableInt("series", "count")
        } else if count == 0 {
            count = 1
        }
        let kind = event.tableString(f.involvedObject, "kind").lowercased()
        let name = event.tableString(f.involvedObject, "name")
        let target = name.isEmpty ? kind : "\(kind)/\(name)"
        let component = firstNonEmpty(event.tableString(f.source, "component"), event.tableString(f.reportingController))
        let host = firstNonEmpty(event.tableString(f.source, "host"), event.tableString("reportingInstance"))
        let source = host.isEmpty ? component : "\(component), \(host)"
        let message = event.tableString(f.message).trimmingCharacters(in: .whitespacesAndNewlines)
        return [.string(last), .string(event.tableString("type")), .string(event.tableString("reason")), .string(target),
                .string(event.tableString(f.involvedObject, "fieldPath")), .string(source), .string(message),
                .string(first), .int(count), .string(event.tableName)]
    }

    static func firstNonEmpty(_ a: String, _ b: String) -> String { a.isEmpty ? b : a }
}
