import AsyncHTTPClient
import Foundation
import NIOCore

/// One writer, many watchers: `watchers` watch streams on one namespace, the writer updates a
/// ConfigMap `events` times at `rate`/s stamping the send time into it, and every watcher
/// records how long each event took to reach it. Missing deliveries are counted as errors.
struct WatchFanout {
    let client: BenchClient
    let watchers: Int
    let rate: Double
    let events: Int

    func run() async throws -> Measurement {
        let namespace = "bench-watch-\(UUID().uuidString.prefix(6).lowercased())"
        try await client.ensureNamespace(namespace)
        let created = try await client.send(.POST, "/api/v1/namespaces/\(namespace)/configmaps",
                                            body: BenchClient.configMap("target", namespace: namespace, payload: "0"))
        guard created.ok, let startVersion = BenchClient.resourceVersion(in: created.body) else {
            throw BenchError("creating the watched ConfigMap: HTTP \(created.status) \(created.body.prefix(300))")
        }
        let streams = client.streams
        let url = "\(client.server)/api/v1/namespaces/\(namespace)/configmaps?watch=true&resourceVersion=\(startVersion)&timeoutSeconds=120"
        let ready = ReadyCounter()
        let events = self.events
        var measurement = Measurement(name: "watch delivery", clients: watchers)

        let writer = client
        let interval = 1e9 / rate
        let started = monotonicNanoseconds()
        let collector = LatencyCollector(watchers: watchers)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for watcher in 0..<watchers {
                group.addTask {
                    var request = HTTPClientRequest(url: url)
                    request.headers.add(name: "Accept", value: "application/json")
                    let response = try await streams.execute(request, timeout: .seconds(180))
                    guard response.status == .ok else { throw BenchError("watch: HTTP \(response.status.code)") }
                    await ready.arrive()
                    var pending: [UInt8] = []
                    var seen = 0
                    for try await buffer in response.body {
                        let arrived = monotonicNanoseconds()
                        pending.append(contentsOf: buffer.readableBytesView)
                        while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                            let line = String(decoding: pending[..<newline], as: UTF8.self)
                            pending.removeSubrange(...newline)
                            if let sent = Self.sentStamp(in: line) {
                                await collector.add(watcher: watcher, milliseconds: Double(arrived &- sent) / 1e6)
                                seen += 1
                            }
                        }
                        if seen >= events { return }
                    }
                }
            }
            // The writer starts once every watch stream answered.
            await ready.wait(for: watchers)
            for index in 1...events {
                let scheduled = monotonicNanoseconds()
                _ = try await writer.send(
                    .PATCH, "/api/v1/namespaces/\(namespace)/configmaps/target",
                    body: #"{"data":{"payload":"\#(index)","sent":"\#(scheduled)"}}"#, contentType: "application/merge-patch+json")
                let next = started + UInt64(Double(index) * interval)
                let now = monotonicNanoseconds()
                if next > now { try await Task.sleep(for: .nanoseconds(Int64(next - now))) }
            }
            // Deliveries still missing 10 s after the last write count as lost.
            let deadline = monotonicNanoseconds() + 10_000_000_000
            while await collector.total < watchers * events, monotonicNanoseconds() < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            group.cancelAll()
            while !group.isEmpty { _ = try? await group.next() }
        }
        let perWatcher = await collector.samples
        for latencies in perWatcher {
            measurement.samples += latencies
            measurement.errors += max(0, events - latencies.count)
        }
        measurement.seconds = Double(monotonicNanoseconds() - started) / 1e9
        measurement.extra["watchers"] = Double(watchers)
        measurement.extra["events_per_watcher"] = Double(events)
        return measurement
    }

    /// The writer's monotonic send time stamped into `data.sent`.
    static func sentStamp(in line: String) -> UInt64? {
        guard let range = line.range(of: #""sent":""#) else { return nil }
        let rest = line[range.upperBound...]
        guard let end = rest.firstIndex(of: "\"") else { return nil }
        return UInt64(rest[..<end])
    }
}

/// Delivery latencies per watcher, shared by the watcher tasks.
actor LatencyCollector {
    var samples: [[Double]]
    var total = 0

    init(watchers: Int) { samples = Array(repeating: [], count: watchers) }

    func add(watcher: Int, milliseconds: Double) {
        samples[watcher].append(milliseconds)
        total += 1
    }
}

/// Counts watch streams that are open, so the writer starts only when all can see its writes.
actor ReadyCounter {
    var count = 0
    var waiters: [(Int, CheckedContinuation<Void, Never>)] = []

    func arrive() {
        count += 1
        let (done, rest) = (waiters.filter { $0.0 <= count }, waiters.filter { $0.0 > count })
        waiters = rest
        for (_, continuation) in done { continuation.resume() }
    }

    func wait(for target: Int) async {
        if count >= target { return }
        await withCheckedContinuation { waiters.append((target, $0)) }
    }
}
