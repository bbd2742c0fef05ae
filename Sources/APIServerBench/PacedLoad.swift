import Foundation

/// Open-loop writes at a fixed rate (Kubernetes' SLO is phrased for a load like this): every
/// `1/rate` seconds a write starts whether or not earlier ones finished; half create a
/// ConfigMap, half merge-patch one of 50 existing ones. Latency is measured from the scheduled
/// start, so a stalled server is not hidden by requests that were never sent.
struct PacedLoad {
    let client: BenchClient
    let rate: Double
    let seconds: Double

    func run() async throws -> Measurement {
        let namespace = "bench-paced-\(UUID().uuidString.prefix(6).lowercased())"
        try await client.ensureNamespace(namespace)
        let pool = 50
        for index in 0..<pool {
            _ = try await client.send(.POST, "/api/v1/namespaces/\(namespace)/configmaps",
                                      body: BenchClient.configMap("pool\(index)", namespace: namespace, payload: VerbLoad.payload))
        }
        let total = Int(rate * seconds)
        let interval = 1e9 / rate
        let client = self.client
        let start = monotonicNanoseconds() + 10_000_000
        var measurement = Measurement(name: "paced writes", clients: 0)
        let outcomes = await withTaskGroup(of: Double?.self) { group in
            for index in 0..<total {
                let scheduled = start + UInt64(Double(index) * interval)
                let now = monotonicNanoseconds()
                if scheduled > now { try? await Task.sleep(for: .nanoseconds(Int64(scheduled - now))) }
                group.addTask {
                    do {
                        let reply: BenchClient.Reply
                        if index % 2 == 0 {
                            reply = try await client.send(
                                .POST, "/api/v1/namespaces/\(namespace)/configmaps",
                                body: BenchClient.configMap("w\(index)", namespace: namespace, payload: VerbLoad.payload))
                        } else {
                            reply = try await client.send(
                                .PATCH, "/api/v1/namespaces/\(namespace)/configmaps/pool\(index % pool)",
                                body: #"{"data":{"payload":"p\#(index)"}}"#, contentType: "application/merge-patch+json")
                        }
                        return reply.ok ? Double(monotonicNanoseconds() - scheduled) / 1e6 : nil
                    } catch {
                        return nil
                    }
                }
            }
            var all: [Double?] = []
            for await outcome in group { all.append(outcome) }
            return all
        }
        measurement.seconds = Double(monotonicNanoseconds() - start) / 1e9
        for outcome in outcomes {
            if let outcome { measurement.samples.append(outcome) } else { measurement.errors += 1 }
        }
        measurement.extra["target_rate"] = rate
        return measurement
    }
}
