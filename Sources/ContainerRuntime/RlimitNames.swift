#if canImport(Glibc)
import Glibc
#endif

/// `RLIMIT_NOFILE` and friends by their OCI names.
enum RlimitNames {
    static func resource(_ name: String) throws(RuntimeError) -> Int32 {
        let table: [String: Int32] = [
            "RLIMIT_CPU": 0, "RLIMIT_FSIZE": 1, "RLIMIT_DATA": 2, "RLIMIT_STACK": 3, "RLIMIT_CORE": 4,
            "RLIMIT_RSS": 5, "RLIMIT_NPROC": 6, "RLIMIT_NOFILE": 7, "RLIMIT_MEMLOCK": 8, "RLIMIT_AS": 9,
            "RLIMIT_LOCKS": 10, "RLIMIT_SIGPENDING": 11, "RLIMIT_MSGQUEUE": 12, "RLIMIT_NICE": 13,
            "RLIMIT_RTPRIO": 14, "RLIMIT_RTTIME": 15,
        ]
        guard let resource = table[name] else { throw .invalidSpec("process.rlimits: unknown resource \(name)") }
        return resource
    }
}
