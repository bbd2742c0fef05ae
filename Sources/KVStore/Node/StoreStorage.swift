import Foundation
import Logging
import Raft

/// Opens the member's durable log: `DiskRaftStorage` (WAL + snapshot files) in the data
/// directory. A torn WAL tail is repaired and reported; any other damage throws, naming
/// the file and byte offset, and the member refuses to start.
public enum StoreStorage {
    @Sendable
    public static func open(directory: URL, logger: Logger) throws -> (any NodeLogStorage, String) {
        let storage = try DiskRaftStorage(directory: directory.path)
        let report = storage.recovery
        if let torn = report.tornTail {
            logger.warning(
                "WAL had a torn tail (an incomplete last write) and was truncated",
                metadata: [
                    "file": "\(torn.file)", "offset": "\(torn.offset)", "droppedBytes": "\(torn.droppedBytes)",
                    "reason": "\(torn.reason)",
                ])
        }
        return (storage, report.description)
    }
}

extension DiskRaftStorage: NodeLogStorage {
    public func createSnapshot(index: UInt64, confState: ConfState, data: [UInt8]) throws {
        _ = try createSnapshot(index: index, confState: Optional(confState), data: data)
    }
}
