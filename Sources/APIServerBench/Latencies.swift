import Foundation

/// Monotonic nanoseconds (same process, so comparable between writer and watchers).
func monotonicNanoseconds() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
}

/// Latency samples of one measurement and the numbers the table prints.
struct Measurement: Sendable {
    var name: String
    var clients: Int
    var samples: [Double] = []   // milliseconds
    var errors = 0
    var seconds: Double = 0
    var extra: [String: Double] = [:]

    mutating func merge(_ other: Measurement) {
        samples += other.samples
        errors += other.errors
    }

    func percentile(_ p: Double) -> Double? {
        guard !samples.isEmpty else { return nil }
        let sorted = samples.sorted()
        let index = min(sorted.count - 1, max(0, Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1))
        return sorted[index]
    }

    var json: String {
        var fields: [(String, String)] = [
            ("name", "\"\(name)\""), ("clients", "\(clients)"), ("ops", "\(samples.count)"), ("errors", "\(errors)"),
            ("seconds", String(format: "%.2f", seconds)),
            ("rate", String(format: "%.1f", seconds > 0 ? Double(samples.count) / seconds : 0)),
        ]
        for (key, p) in [("p50_ms", 50.0), ("p99_ms", 99.0), ("max_ms", 100.0)] {
            fields.append((key, percentile(p).map { String(format: "%.2f", $0) } ?? "null"))
        }
        for (key, value) in extra.sorted(by: { $0.key < $1.key }) { fields.append((key, String(format: "%.2f", value))) }
        return "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
    }
}
