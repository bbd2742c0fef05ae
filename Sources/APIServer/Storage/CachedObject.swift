import APIModel
import Synchronization

/// One object as the watch cache holds it: parsed once, its resourceVersion stamped, its
/// labels extracted for selectors, and its `ADDED` watch line encoded once (the initial
/// events of every watch share it).
struct CachedObject: Sendable {
    let key: String
    let object: JSONValue
    let labels: [String: String]
    let modRevision: Int64
    /// `{"type":"ADDED","object":<object>}\n`.
    let addedLine: [UInt8]

    init(key: String, object: JSONValue, modRevision: Int64) {
        self.key = key
        self.object = object
        self.labels = LabelSelector.labels(of: object)
        self.modRevision = modRevision
        self.addedLine = WatchEvent.line(type: .added, encodedObject: object.encoded())
    }

    /// Parses stored bytes; nil (logged by the caller) if they are not JSON.
    init?(key: String, value: [UInt8], modRevision: Int64) {
        guard var object = try? JSONValue.parse(value).value else { return nil }
        ObjectStorage.stamp(&object, revision: modRevision)
        self.init(key: key, object: object, modRevision: modRevision)
    }

    var stored: StoredObject { StoredObject(object: object, resourceVersion: modRevision) }

    var addedEvent: WatchEvent {
        WatchEvent(type: .added, object: object, resourceVersion: modRevision, encodedLine: addedLine)
    }

    /// The line for another event type, spliced from the `ADDED` one without re-encoding.
    func line(_ type: WatchEvent.EventType) -> [UInt8] {
        if type == .added { return addedLine }
        let head = #"{"type":"ADDED""#.utf8.count
        var line: [UInt8] = []
        line.reserveCapacity(addedLine.count + 8)
        line.append(contentsOf: #"{"type":""#.utf8)
        line.append(contentsOf: type.rawValue.utf8)
        line.append(UInt8(ascii: "\""))
        line.append(contentsOf: addedLine[head...])
        return line
    }
}

/// One change to one key, as every watcher of its resource sees it.
///
/// The primary event (what an unfiltered watcher gets) is built once at ingest. Watchers
/// with selectors may instead need the object to appear (`ADDED` of the new state) or to
/// disappear (`DELETED` of the old state at this revision); those variants are built at
/// most once, on first need, and shared too.
final class CacheEvent: Sendable {
    let revision: Int64
    let key: String
    let current: CachedObject?
    let previous: CachedObject?
    let primary: WatchEvent
    private let variants = Mutex<(added: WatchEvent?, deleted: WatchEvent?)>((nil, nil))

    init(revision: Int64, key: String, current: CachedObject?, previous: CachedObject?) {
        self.revision = revision
        self.key = key
        self.current = current
        self.previous = previous
        if let current {
            let type: WatchEvent.EventType = previous == nil ? .added : .modified
            primary = WatchEvent(type: type, object: current.object, resourceVersion: revision, encodedLine: current.line(type))
        } else {
            primary = CacheEvent.deletedEvent(previous, revision: revision)
        }
    }

    /// The new state announced as `ADDED` (an object that starts matching a selector).
    var asAdded: WatchEvent {
        guard let current, primary.type != .added else { return primary }
        return variants.withLock { variants in
            if let added = variants.added { return added }
            let added = current.addedEvent
            variants.added = added
            return added
        }
    }

    /// The old state announced as `DELETED` at this revision (an object that stops matching).
    var asDeleted: WatchEvent {
        if primary.type == .deleted { return primary }
        return variants.withLock { variants in
            if let deleted = variants.deleted { return deleted }
            let deleted = CacheEvent.deletedEvent(previous, revision: revision)
            variants.deleted = deleted
            return deleted
        }
    }

    private static func deletedEvent(_ previous: CachedObject?, revision: Int64) -> WatchEvent {
        var object = previous?.object ?? .emptyObject
        ObjectStorage.stamp(&object, revision: revision)
        return WatchEvent(type: .deleted, object: object, resourceVersion: revision)
    }
}

/// The resource prefix (`/registry/<group>/<plural>/`) of a storage key, or nil for keys
/// outside that layout.
func resourcePrefix(ofKey key: String) -> String? {
    guard key.hasPrefix("/registry/") else { return nil }
    var slashes = 0
    var index = key.utf8.startIndex
    while index < key.utf8.endIndex {
        if key.utf8[index] == UInt8(ascii: "/") {
            slashes += 1
            if slashes == 4 {
                let end = key.utf8.index(after: index)
                return end < key.utf8.endIndex ? String(key[..<end]) : nil
            }
        }
        index = key.utf8.index(after: index)
    }
    return nil
}
