import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The pid file of a running server (`<data>/server.pid`): lets `skiff up` see that a
/// cluster already runs and `skiff down` find the process to stop. A file naming a process
/// that is gone, or that is no skiff, is stale and ignored.
public struct PIDFile: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// The pid of the live skiff process the file names, if any.
    public func runningProcess() -> Int32? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
              let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0
        else { return nil }
        return Self.isSkiffProcess(pid) ? pid : nil
    }

    /// Records this process; refuses when another live server already holds the file.
    func claim() throws {
        if let other = runningProcess(), other != getpid() {
            throw ClusterError.startup(
                "a server for this data directory already runs (pid \(other), \(path)); stop it with 'skiff down' first")
        }
        do {
            try "\(getpid())\n".write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw ClusterError.startup("cannot write the pid file \(path): \(error.localizedDescription)")
        }
    }

    /// Removes the file if it still names this process.
    func release() {
        if let text = try? String(contentsOfFile: path, encoding: .utf8),
           Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) == getpid() {
            try? FileManager.default.removeItem(atPath: path)
        }
    }

    /// Whether `pid` is alive and runs a skiff executable (not a recycled pid of something else).
    public static func isSkiffProcess(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 || errno == EPERM else { return false }
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
        let arguments = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        guard let executable = arguments.first else { return false }
        // A zombie has an empty command line: it is gone as far as a caller is concerned.
        return (executable as NSString).lastPathComponent.hasPrefix("skiff")
    }
}
