import KVStore
import Linearizability
import Synchronization

/// One recorded client operation (Foundation also has an `Operation`: this file does not
/// import Foundation so the name means the checker's).
typealias HistoryOperation = Operation<KVModel.Input, KVModel.Output>

/// The clients of the fault test. Each records every operation with invoke and return
/// times; an operation whose outcome is unknown (timeout, connection lost mid-request) is
/// recorded as never returning, one that certainly did nothing (refused before it was
/// proposed) is left out.
enum Workload {
    static let keys = ["reg/a", "reg/b", "reg/c", "reg/d"]

    static func registerClient(_ client: Int, endpoints: [String], recorder: HistoryRecorder, stop: StopFlag) async {
        let rotated = Array(endpoints[(client % endpoints.count)...] + endpoints[..<(client % endpoints.count)])
        let gateway = GatewayClient(endpoints: rotated, timeout: .seconds(3))
        var sequence = 0
        var random = SystemRandomNumberGenerator()
        while !stop.isSet {
            let key = keys[Int.random(in: 0..<keys.count, using: &random)]
            sequence += 1
            let call = now()
            if Bool.random(using: &random) {
                let value = "c\(client)-\(sequence)"
                do {
                    _ = try await gateway.put(KV.PutRequest(key: Array(key.utf8), value: Array(value.utf8)))
                    recorder.record(client, .put(key: key, value: value), .ok, call: call, return: now())
                } catch {
                    if !certainlyNotApplied(error) {
                        recorder.record(client, .put(key: key, value: value), nil, call: call, return: nil)
                    }
                }
            } else {
                do {
                    let response = try await gateway.range(KV.RangeRequest(key: Array(key.utf8)))
                    let value = response.kvs.first.map { String(decoding: $0.value, as: UTF8.self) }
                    recorder.record(client, .get(key: key), .value(value), call: call, return: now())
                } catch {
                    // A failed read has no effect: nothing to record.
                }
            }
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Writes distinct keys; every acknowledged one must exist at the end.
    static func durableWriter(endpoints: [String], recorder: HistoryRecorder, stop: StopFlag) async {
        let gateway = GatewayClient(endpoints: endpoints, timeout: .seconds(3))
        var sequence = 0
        while !stop.isSet {
            sequence += 1
            let key = "durable/\(sequence)"
            if (try? await gateway.put(KV.PutRequest(key: Array(key.utf8), value: Array(repeating: 1, count: 100)))) != nil {
                recorder.acknowledge(key)
            }
        }
    }

    static func certainlyNotApplied(_ error: any Error) -> Bool {
        switch error {
        case GatewayClientError.unreachable:
            return true
        case GatewayClientError.server(_, let body):
            // skiff answers "unavailable" only when nothing was proposed.
            return body.code == GatewayErrorCode.unavailable || body.code == GatewayErrorCode.invalidArgument
        default:
            return false
        }
    }

    static func now() -> UInt64 {
        let start = origin  // initialized before the clock is read, so never after it
        let elapsed = start.duration(to: ContinuousClock.now)
        return UInt64(elapsed.components.seconds) * 1_000_000_000 + UInt64(elapsed.components.attoseconds / 1_000_000_000)
    }

    static let origin = ContinuousClock.now
}

final class HistoryRecorder: Sendable {
    private let state = Mutex<(history: [HistoryOperation], acknowledged: [String])>(([], []))

    func record(_ client: Int, _ input: KVModel.Input, _ output: KVModel.Output?, call: UInt64, return: UInt64?) {
        state.withLock { $0.history.append(Operation(clientID: client, input: input, output: output, call: call, return: `return`)) }
    }

    func acknowledge(_ key: String) {
        state.withLock { $0.acknowledged.append(key) }
    }

    var history: [HistoryOperation] { state.withLock { $0.history } }
    var acknowledgedKeys: [String] { state.withLock { $0.acknowledged } }
}

final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    func set() { flag.store(true, ordering: .relaxed) }
    var isSet: Bool { flag.load(ordering: .relaxed) }
}
