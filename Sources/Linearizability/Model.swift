/// A sequential specification: what each operation does to the state and which outputs it may
/// return. The checker searches for an order of the history's operations that this model accepts.
public protocol Model: Sendable {
    associatedtype State: Hashable
    associatedtype Input
    associatedtype Output

    func initialState() -> State

    /// Applies `input` to `state`. `output` nil means the operation never returned (it may or may
    /// not have taken effect; any output is acceptable). Returns the next state, or nil when the
    /// operation could not have produced `output` in `state`.
    func step(_ state: State, input: Input, output: Output?) -> State?

    /// Splits a history into independent sub-histories (e.g. one per key), each checked alone;
    /// a history is linearizable iff all its parts are (P-compositionality).
    func partition(_ history: [Operation<Input, Output>]) -> [[Operation<Input, Output>]]
}

extension Model {
    public func partition(_ history: [Operation<Input, Output>]) -> [[Operation<Input, Output>]] {
        [history]
    }
}

/// One client operation as observed from outside: when it was invoked, and when (if ever) it
/// returned and with what. Times are any monotonic clock (nanoseconds, simulated ticks).
public struct Operation<Input, Output> {
    public var clientID: Int
    public var input: Input
    /// nil when the operation never returned (crashed client, timeout, lost connection); ignored
    /// when `return` is nil.
    public var output: Output?
    public var call: UInt64
    /// nil when the operation never returned; it is then concurrent with everything after `call`.
    /// An operation that failed with an ambiguous error (a timeout) must be recorded with nil:
    /// it may still take effect at any later time.
    public var `return`: UInt64?

    public init(clientID: Int, input: Input, output: Output?, call: UInt64, return: UInt64?) {
        self.clientID = clientID
        self.input = input
        self.output = output
        self.call = call
        self.return = `return`
    }
}

extension Operation: Sendable where Input: Sendable, Output: Sendable {}

/// The same type under a name that cannot clash with Foundation's `Operation`.
public typealias HistoryOperation<Input, Output> = Operation<Input, Output>

extension Linearizability {
    /// `Linearizability.Operation` works even where the module name is shadowed by the enum.
    public typealias Operation<Input, Output> = HistoryOperation<Input, Output>
}
