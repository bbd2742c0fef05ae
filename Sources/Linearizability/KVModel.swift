/// A key-value register per key: `put`, `get` and compare-and-swap, checked one key at a time.
public struct KVModel: Model {
    public enum Input: Sendable, Hashable {
        case put(key: String, value: String)
        case get(key: String)
        /// Sets `key` to `new` only if its value is `expected` (nil: the key is absent).
        case cas(key: String, expected: String?, new: String)
        /// Removes the key.
        case delete(key: String)

        public var key: String {
            switch self {
            case .put(let k, _), .get(let k), .cas(let k, _, _), .delete(let k): return k
            }
        }
    }

    public enum Output: Sendable, Hashable {
        /// A write completed.
        case ok
        /// A read returned this value (nil: absent).
        case value(String?)
        /// A compare-and-swap succeeded or not.
        case swapped(Bool)
    }

    public init() {}

    public func initialState() -> String? { nil }

    public func step(_ state: String?, input: Input, output: Output?) -> String?? {
        switch input {
        case .put(_, let value):
            if let output, output != .ok { return nil }
            return .some(value)
        case .delete:
            if let output, output != .ok { return nil }
            return .some(nil)
        case .get:
            guard let output else { return .some(state) }
            return output == .value(state) ? .some(state) : nil
        case .cas(_, let expected, let new):
            let succeeds = state == expected
            if let output, output != .swapped(succeeds) { return nil }
            return .some(succeeds ? new : state)
        }
    }

    public func partition(_ history: [Operation<Input, Output>]) -> [[Operation<Input, Output>]] {
        var byKey: [String: [Operation<Input, Output>]] = [:]
        var order: [String] = []
        for op in history {
            let k = op.input.key
            if byKey[k] == nil { order.append(k) }
            byKey[k, default: []].append(op)
        }
        return order.map { byKey[$0] ?? [] }
    }
}

/// An operation on the key-value model. (Also spares files that import Foundation, whose
/// `Operation` class would otherwise clash with this module's `Operation`.)
public typealias KVOperation = Operation<KVModel.Input, KVModel.Output>
