/// One change seen by a watcher. Events reach a watcher in revision order, each once.
public struct WatchEvent: Sendable, Equatable {
    public enum Kind: UInt8, Sendable, Equatable { case put = 0, delete = 1 }

    public var kind: Kind
    /// For `.put` the new key-value; for `.delete` the key with `modRevision` = the delete's
    /// revision and everything else zero.
    public var kv: KeyValue
    /// The key-value before this change, when the watcher asked for it and one existed.
    public var prevKV: KeyValue?

    public init(kind: Kind, kv: KeyValue, prevKV: KeyValue? = nil) {
        self.kind = kind
        self.kv = kv
        self.prevKV = prevKV
    }
}
