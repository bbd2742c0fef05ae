import Foundation
@testable import KVStore

/// Bytes of a string, for readable test keys.
func b(_ string: String) -> [UInt8] { Array(string.utf8) }

extension MVCCStore {
    @discardableResult
    func put(_ key: String, _ value: String, prevKV: Bool = false) -> StoreResult {
        apply(.put(PutRequest(key: b(key), value: b(value), prevKV: prevKV)))
    }

    @discardableResult
    func delete(_ key: String, rangeEnd: String = "", prevKV: Bool = false) -> StoreResult {
        apply(.deleteRange(DeleteRangeRequest(key: b(key), rangeEnd: b(rangeEnd), prevKV: prevKV)))
    }

    func get(_ key: String, revision: Int64 = 0) throws -> KeyValue? {
        try range(RangeRequest(key: b(key), revision: revision)).kvs.first
    }

    func keys(prefix: String, revision: Int64 = 0) throws -> [String] {
        try range(.prefix(b(prefix), revision: revision)).kvs.map { String(decoding: $0.key, as: UTF8.self) }
    }
}

/// A fresh empty directory under the system temp dir, removed by `remove()` (kept for
/// inspection when `SKIFF_KEEP_TEST_DIRS` is set).
struct TemporaryDirectory {
    let path: String

    init() throws {
        let base = FileManager.default.temporaryDirectory.path
        path = base + "/skiff-kvstore-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func remove() {
        if ProcessInfo.processInfo.environment["SKIFF_KEEP_TEST_DIRS"] == nil { try? FileManager.default.removeItem(atPath: path) }
    }
}
