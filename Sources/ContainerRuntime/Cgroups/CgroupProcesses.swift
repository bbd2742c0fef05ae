#if canImport(Glibc)
import Glibc
#endif

/// Process bookkeeping shared by the backends: listing a cgroup subtree and signalling it.
enum CgroupProcesses {
    /// Pids in `directory`'s `cgroup.procs` and in every cgroup below it.
    static func list(directory: String) throws -> [Int32] {
        var pids = try CgroupFiles.readPids(directory + "/cgroup.procs")
        for child in try CgroupFiles.subdirectories(directory) {
            pids += try list(directory: directory + "/" + child)
        }
        return pids
    }

    /// Sends `signal` to each pid; a process that already exited (ESRCH) is not an error.
    static func signal(_ pids: [Int32], with signal: Int32, cgroup: String) throws {
        for pid in pids where kill(pid, signal) != 0 && errno != ESRCH {
            throw CgroupError.system(operation: "kill(\(pid), \(signal)) in", path: cgroup, errno: errno)
        }
    }

    /// Polls `condition` until it holds or `seconds` pass. Used for the kernel's asynchronous
    /// state changes (freezing), never for test timing.
    static func wait(upTo seconds: Double, _ what: String, until condition: () throws -> Bool) throws {
        var waited = 0.0
        var delay: UInt32 = 1_000
        while try !condition() {
            guard waited < seconds else { throw CgroupError.timedOut(what) }
            usleep(delay)
            waited += Double(delay) / 1_000_000
            delay = min(delay * 2, 50_000)
        }
    }
}
