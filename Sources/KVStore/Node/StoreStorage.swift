import Foundation
import Logging
import Raft

/// Opens the member's durable log. Until the disk-backed Raft storage is wired in, the log
/// is kept in memory (a restarted member then recovers from its peers).
public enum StoreStorage {
    @Sendable
    public static func open(directory: URL, logger: Logger) throws -> (any NodeLogStorage, String) {
        logger.warning("the Raft log is kept in memory: this member does not survive a restart on its own")
        return (MemoryStorage(), "in-memory log, nothing to recover")
    }
}
