/// Everything a node asks its caller to do, collected since the last `advance`.
///
/// The caller's contract, in this order:
/// 1. Persist `hardState`, `entries` (appending, and truncating any conflicting suffix already
///    stored) and `snapshot` to stable storage — fsync when `mustSync` is true.
/// 2. Only then send `messages`. (A vote or an append acknowledgement sent before the state it
///    promises is durable can elect two leaders or lose a committed entry after a crash.)
///    Sending in parallel with persisting is safe only for a leader's appends (thesis §10.2.1),
///    and only if the write completes before `advance` and before any further `step`.
/// 3. Apply `snapshot` and then `committedEntries`, in order, to the state machine; call
///    `RawNode.applyConfChange` for each committed `.confChange` entry.
/// 4. Call `RawNode.advance(_:)` with this value.
public struct Ready: Sendable {
    /// nil when unchanged since the last Ready.
    public var softState: SoftState?
    /// nil when unchanged; persist.
    public var hardState: HardState?
    /// Answers to `readIndex` calls, to serve once `index` is applied.
    public var readStates: [ReadState]
    /// Persist (append, truncating conflicts) BEFORE sending messages.
    public var entries: [Entry]
    /// Persist and apply to the state machine.
    public var snapshot: Snapshot?
    /// Apply in order.
    public var committedEntries: [Entry]
    /// Send after persisting.
    public var messages: [Message]
    /// Whether `hardState`/`entries` must be fsynced before the messages go out.
    public var mustSync: Bool

    public init(
        softState: SoftState? = nil, hardState: HardState? = nil, readStates: [ReadState] = [],
        entries: [Entry] = [], snapshot: Snapshot? = nil, committedEntries: [Entry] = [],
        messages: [Message] = [], mustSync: Bool = false
    ) {
        self.softState = softState
        self.hardState = hardState
        self.readStates = readStates
        self.entries = entries
        self.snapshot = snapshot
        self.committedEntries = committedEntries
        self.messages = messages
        self.mustSync = mustSync
    }
}
