import APIModel
import KVStore
import Logging

/// Kubernetes objects in the replicated store, plus the watch cache that serves lists and
/// watches without a store round trip per request.
///
/// Writes go straight to the store as compare-and-swap transactions (the store is the only
/// source of truth); reads of single objects are linearizable store reads; lists and watches
/// come from `WatchCache`, which follows one store watch. Values are the objects' JSON with
/// `metadata.resourceVersion` removed; the key's mod revision is stamped back on every read.
public final class ObjectStorage: Sendable {
    let store: any KeyValueStore
    let logger: Logger
    let cache: WatchCache

    /// Tuning of the watch cache; the defaults suit a development cluster.
    public struct Configuration: Sendable {
        /// Events kept per resource for watches that resume from a resourceVersion.
        public var eventsPerResource: Int
        /// Events buffered for one watcher before it is ended as too slow (it relists).
        public var watcherBuffer: Int
        /// How long a read waits for the cache to reach a revision before giving up.
        public var catchUpTimeout: Duration
        /// GuaranteedUpdate attempts before reporting a conflict (Kubernetes retries without
        /// bound; a cap keeps a pathological hot key from looping forever).
        public var maxUpdateAttempts: Int

        public init(
            eventsPerResource: Int = 10_000, watcherBuffer: Int = 1_000, catchUpTimeout: Duration = .seconds(3),
            maxUpdateAttempts: Int = 1_000
        ) {
            self.eventsPerResource = eventsPerResource
            self.watcherBuffer = watcherBuffer
            self.catchUpTimeout = catchUpTimeout
            self.maxUpdateAttempts = maxUpdateAttempts
        }
    }

    public let configuration: Configuration

    public init(store: any KeyValueStore, logger: Logger, configuration: Configuration = Configuration()) {
        self.store = store
        self.logger = logger
        self.configuration = configuration
        self.cache = WatchCache(store: store, logger: logger, configuration: configuration)
    }

    /// Runs the watch cache until the task is cancelled: one store watch feeding it,
    /// re-primed from a fresh range whenever that watch breaks.
    public func run() async throws {
        try await cache.run()
    }

    /// Returns once the cache has been primed (lists and watches can be served).
    public func waitUntilReady() async throws {
        try await cache.waitUntilReady()
    }

    /// The store's latest revision (linearizable).
    public func currentResourceVersion() async throws -> Int64 {
        do {
            return try await store.currentRevision()
        } catch {
            throw StorageError.wrapping(error)
        }
    }

    // MARK: - Single objects

    /// A linearizable read of one object; with `resourceVersion` "0" (any version will do)
    /// the cache's copy is returned when it has one.
    public func get(_ r: ResourceInfo, namespace: String?, name: String, resourceVersion: String? = nil) async throws -> StoredObject {
        let key = r.storageKey(namespace: namespace, name: name)
        if resourceVersion == "0", let cached = cache.cachedObject(key: key) { return cached.stored }
        guard let kv = try await readKey(key) else { throw StorageError.notFound(r, name: name) }
        return try Self.decode(kv.value, revision: kv.modRevision)
    }

    public func create(
        _ r: ResourceInfo, namespace: String?, name: String, object: JSONValue, dryRun: Bool
    ) async throws -> StoredObject {
        let key = Array(r.storageKey(namespace: namespace, name: name).utf8)
        var object = object
        Self.stripResourceVersion(&object)
        if dryRun {
            if try await readKey(key) != nil { throw StorageError.alreadyExists(r, name: name) }
            return StoredObject(object: object, resourceVersion: 0)
        }
        let value = object.encoded()
        let request = KV.TxnRequest(
            compare: [KV.Compare(key: key, target: .create, result: .equal, operand: 0)],
            success: [KV.RequestOp(put: KV.PutRequest(key: key, value: value))], failure: [])
        let response = try await txn(request)
        guard response.succeeded else { throw StorageError.alreadyExists(r, name: name) }
        let revision = response.header?.revision ?? 0
        Self.stamp(&object, revision: revision)
        return StoredObject(object: object, resourceVersion: revision)
    }

    public func update(
        _ r: ResourceInfo, namespace: String?, name: String, dryRun: Bool, allowCreate: Bool,
        transform: @Sendable (StoredObject?) throws -> JSONValue
    ) async throws -> (object: StoredObject, created: Bool) {
        let keyString = r.storageKey(namespace: namespace, name: name)
        let key = Array(keyString.utf8)
        var current = try await startingBase(key: keyString)
        for attempt in 0..<configuration.maxUpdateAttempts {
            try await Self.backOff(afterLostRaces: attempt)
            guard let base = current else {
                guard allowCreate else { throw StorageError.notFound(r, name: name) }
                var object = try transform(nil)
                Self.stripResourceVersion(&object)
                if dryRun { return (StoredObject(object: object, resourceVersion: 0), true) }
                let request = KV.TxnRequest(
                    compare: [KV.Compare(key: key, target: .create, result: .equal, operand: 0)],
                    success: [KV.RequestOp(put: KV.PutRequest(key: key, value: object.encoded()))],
                    failure: [KV.RequestOp(range: KV.RangeRequest(key: key))])
                let response = try await txn(request)
                if response.succeeded {
                    let revision = response.header?.revision ?? 0
                    Self.stamp(&object, revision: revision)
                    return (StoredObject(object: object, resourceVersion: revision), true)
                }
                current = try response.responses.first?.responseRange?.kvs.first.map { try UpdateBase(kv: $0) }
                continue
            }
            var object: JSONValue
            do {
                object = try transform(base.existing)
            } catch where base.fromCache {
                current = try await readKey(key).map { try UpdateBase(kv: $0) }
                continue
            }
            Self.stripResourceVersion(&object)
            let value = object.encoded()
            if base.isUnchanged(object, encoded: value) {
                if !base.fromCache { return (base.existing, false) }
                // Nothing to write if the store agrees the cached copy is current.
                current = try await readKey(key).map { try UpdateBase(kv: $0) }
                if current?.modRevision == base.modRevision { return (base.existing, false) }
                continue
            }
            if dryRun {
                Self.stamp(&object, revision: base.modRevision)
                return (StoredObject(object: object, resourceVersion: base.modRevision), false)
            }
            let request = KV.TxnRequest(
                compare: [KV.Compare(key: key, target: .mod, result: .equal, operand: base.modRevision)],
                success: [KV.RequestOp(put: KV.PutRequest(key: key, value: value))],
                failure: [KV.RequestOp(range: KV.RangeRequest(key: key))])
            let response = try await txn(request)
            if response.succeeded {
                let revision = response.header?.revision ?? 0
                Self.stamp(&object, revision: revision)
                return (StoredObject(object: object, resourceVersion: revision), false)
            }
            // Lost the race (or the cached copy was stale): retry on what the store holds now.
            current = try response.responses.first?.responseRange?.kvs.first.map { try UpdateBase(kv: $0) }
        }
        throw StorageError.conflict(r, name: name, detail: "too many concurrent writers; please try again")
    }

    /// The state an update starts from: a store read, or the cache's copy.
    private struct UpdateBase {
        var existing: StoredObject
        var modRevision: Int64
        /// The stored bytes (store reads only): byte equality means "unchanged".
        var storedBytes: [UInt8]?
        var fromCache: Bool { storedBytes == nil }

        init(kv: KV.KeyValue) throws {
            existing = try ObjectStorage.decode(kv.value, revision: kv.modRevision)
            modRevision = kv.modRevision
            storedBytes = kv.value
        }

        init(cached: CachedObject) {
            existing = cached.stored
            modRevision = cached.modRevision
            storedBytes = nil
        }

        func isUnchanged(_ object: JSONValue, encoded: [UInt8]) -> Bool {
            if let storedBytes { return storedBytes == encoded }
            var old = existing.object
            ObjectStorage.stripResourceVersion(&old)
            return old == object
        }
    }

    /// Where a read–modify–write starts: the cache's copy when it has one (saves a
    /// linearizable read). The compare-and-swap on the mod revision catches a stale copy, and
    /// a transform or precondition that refuses a cached copy (e.g. a resourceVersion check)
    /// is retried on a fresh read.
    private func startingBase(key: String) async throws -> UpdateBase? {
        if let cached = cache.cachedObject(key: key) { return UpdateBase(cached: cached) }
        return try await readKey(Array(key.utf8)).map { try UpdateBase(kv: $0) }
    }

    public func delete(
        _ r: ResourceInfo, namespace: String?, name: String, preconditions: DeletePreconditions, dryRun: Bool
    ) async throws -> StoredObject {
        let keyString = r.storageKey(namespace: namespace, name: name)
        let key = Array(keyString.utf8)
        var current = try await startingBase(key: keyString)
        for attempt in 0..<configuration.maxUpdateAttempts {
            try await Self.backOff(afterLostRaces: attempt)
            guard let base = current else { throw StorageError.notFound(r, name: name) }
            do {
                try Self.check(preconditions, on: base.existing, resource: r, name: name)
            } catch where base.fromCache {
                current = try await readKey(key).map { try UpdateBase(kv: $0) }
                continue
            }
            if dryRun { return base.existing }
            let request = KV.TxnRequest(
                compare: [KV.Compare(key: key, target: .mod, result: .equal, operand: base.modRevision)],
                success: [KV.RequestOp(deleteRange: KV.DeleteRangeRequest(key: key, prevKV: true))],
                failure: [KV.RequestOp(range: KV.RangeRequest(key: key))])
            let response = try await txn(request)
            if response.succeeded {
                // The last state, at the deletion's revision (as the DELETED watch event has it).
                let revision = response.header?.revision ?? base.modRevision
                var object = base.existing.object
                Self.stamp(&object, revision: revision)
                return StoredObject(object: object, resourceVersion: revision)
            }
            current = try response.responses.first?.responseRange?.kvs.first.map { try UpdateBase(kv: $0) }
        }
        throw StorageError.conflict(r, name: name, detail: "too many concurrent writers; please try again")
    }

    // MARK: - Lists and watches

    public func list(_ r: ResourceInfo, namespace: String?, options: ListOptions) async throws -> ListResult {
        try await cache.list(r, namespace: namespace, options: options)
    }

    public func watch(_ r: ResourceInfo, namespace: String?, options: WatchOptions) async throws -> AsyncStream<WatchEvent> {
        try await cache.watch(r, namespace: namespace, options: options)
    }

    // MARK: - Helpers

    /// Writers that keep losing the compare-and-swap on one hot key spread out with a small
    /// random pause, so they stop colliding in lockstep; the first attempts never wait.
    private static func backOff(afterLostRaces attempt: Int) async throws {
        guard attempt >= 4 else { return }
        let ceiling = min(attempt, 20) * 500
        try await Task.sleep(for: .microseconds(Int.random(in: 0...ceiling)))
    }

    private func readKey(_ key: String) async throws -> KV.KeyValue? {
        try await readKey(Array(key.utf8))
    }

    private func readKey(_ key: [UInt8]) async throws -> KV.KeyValue? {
        do {
            return try await store.range(KV.RangeRequest(key: key)).kvs.first
        } catch {
            throw StorageError.wrapping(error)
        }
    }

    private func txn(_ request: KV.TxnRequest) async throws -> KV.TxnResponse {
        do {
            return try await store.txn(request)
        } catch {
            throw StorageError.wrapping(error)
        }
    }

    private static func check(_ preconditions: DeletePreconditions, on existing: StoredObject, resource: ResourceInfo, name: String) throws {
        if let uid = preconditions.uid {
            let actual = existing.object["metadata"]?["uid"]?.stringValue ?? ""
            if uid != actual {
                throw StorageError.conflict(
                    resource, name: name, detail: "Precondition failed: UID in precondition: \(uid), UID in object meta: \(actual)")
            }
        }
        if let version = preconditions.resourceVersion, version != String(existing.resourceVersion) {
            throw StorageError.conflict(
                resource, name: name,
                detail: "Precondition failed: ResourceVersion in precondition: \(version), ResourceVersion in object meta: \(existing.resourceVersion)")
        }
    }

    /// Stored bytes → object with its resourceVersion stamped.
    static func decode(_ value: [UInt8], revision: Int64) throws -> StoredObject {
        do {
            var object = try JSONValue.parse(value).value
            stamp(&object, revision: revision)
            return StoredObject(object: object, resourceVersion: revision)
        } catch {
            throw StorageError.internal("stored object at revision \(revision) is not valid JSON: \(error)")
        }
    }

    static func stamp(_ object: inout JSONValue, revision: Int64) {
        object.modify("metadata") { metadata in
            if metadata == nil { metadata = .emptyObject }
            metadata?["resourceVersion"] = .string(String(revision))
        }
    }

    static func stripResourceVersion(_ object: inout JSONValue) {
        guard object["metadata"]?["resourceVersion"] != nil else { return }
        object.modify("metadata") { metadata in
            guard case .object(var fields)? = metadata else { return }
            _ = fields.removeValue(forKey: "resourceVersion")
            metadata = .object(fields)
        }
    }
}
