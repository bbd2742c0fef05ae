#if canImport(Glibc)
import Glibc
#endif
import CLinuxSystem

/// Facts about processes from `/proc`, and signals.
public enum Processes {
    /// The start time of `pid` in clock ticks since boot (field 22 of `/proc/PID/stat`).
    /// Together with the pid it identifies a process: a recycled pid has a later start time.
    public static func startTime(of pid: Int32) -> UInt64? {
        guard let stat = try? Files.readString("/proc/\(pid)/stat") else { return nil }
        // The command name (field 2) may contain spaces and ')': fields resume after the last ')'.
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (state); field 22 is fields[19].
        guard fields.count > 19 else { return nil }
        return UInt64(fields[19])
    }

    /// The one-letter state (`R`, `S`, `Z`, …) of `pid`, or `nil` when it does not exist.
    public static func state(of pid: Int32) -> Character? {
        guard let stat = try? Files.readString("/proc/\(pid)/stat"), let close = stat.lastIndex(of: ")") else { return nil }
        return stat[stat.index(after: close)...].split(separator: " ").first?.first
    }

    /// Whether `pid` is alive and still the process that started at `startTime` (not a zombie).
    public static func isAlive(_ pid: Int32, startTime: UInt64?) -> Bool {
        guard let current = Self.startTime(of: pid) else { return false }
        if let startTime, current != startTime { return false }
        return state(of: pid) != "Z"
    }

    public static func kill(_ pid: Int32, signal: Int32) throws(SystemError) {
        if csys_kill(pid, signal) != 0 { throw .current("kill \(pid) with signal \(signal)") }
    }

    /// Signal numbers by name: `KILL`, `SIGKILL`, `sigterm` and `9` all work.
    public static func signalNumber(_ name: String) -> Int32? {
        if let n = Int32(name), n > 0, n < 65 { return n }
        var upper = name.uppercased()
        if upper.hasPrefix("SIG") { upper.removeFirst(3) }
        let table: [String: Int32] = [
            "HUP": SIGHUP, "INT": SIGINT, "QUIT": SIGQUIT, "ILL": SIGILL, "TRAP": SIGTRAP, "ABRT": SIGABRT,
            "BUS": SIGBUS, "FPE": SIGFPE, "KILL": SIGKILL, "USR1": SIGUSR1, "SEGV": SIGSEGV, "USR2": SIGUSR2,
            "PIPE": SIGPIPE, "ALRM": SIGALRM, "TERM": SIGTERM, "STKFLT": SIGSTKFLT, "CHLD": SIGCHLD, "CONT": SIGCONT,
            "STOP": SIGSTOP, "TSTP": SIGTSTP, "TTIN": SIGTTIN, "TTOU": SIGTTOU, "URG": SIGURG, "XCPU": SIGXCPU,
            "XFSZ": SIGXFSZ, "VTALRM": SIGVTALRM, "PROF": SIGPROF, "WINCH": SIGWINCH, "IO": SIGIO, "PWR": SIGPWR,
            "SYS": SIGSYS,
        ]
        return table[upper]
    }
}
