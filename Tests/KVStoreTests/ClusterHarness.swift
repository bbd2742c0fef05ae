import Foundation
import KVStore

/// Runs real `skiff store run` processes on loopback for the fault tests: random free
/// ports, a temporary directory per cluster, SIGKILL and restart by PID. `shutdown()` kills
/// every process it started and removes the directory; call it in a `defer`.
final class ClusterHarness: @unchecked Sendable {
    // @unchecked: `processes` is mutated only from the test's own task (start/kill/restart
    // are called sequentially by the test body, never concurrently); the clients running in
    // parallel only read `endpoints`, which is immutable after init.

    struct Member {
        var name: String
        var clientPort: Int
        var peerPort: Int
        var dataDirectory: URL
        var logFile: URL
        var clientURL: String { "http://127.0.0.1:\(clientPort)" }
    }

    /// The built `skiff` next to the test bundle (or `$SKIFF_BINARY`), if present.
    static var skiffBinary: URL? {
        if let explicit = ProcessInfo.processInfo.environment["SKIFF_BINARY"] {
            return URL(fileURLWithPath: explicit)
        }
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var directory = exe.deletingLastPathComponent()
        // The bundle may be a directory (…/skiffPackageTests.xctest/…); walk up to the build dir.
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("skiff")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return nil
    }

    let binary: URL
    let root: URL
    let members: [Member]
    private var processes: [String: Process] = [:]
    /// Flags added to every member's `skiff store run` (set before starting members).
    var extraArguments: [String] = []

    init(binary: URL, memberCount: Int) throws {
        self.binary = binary
        root = FileManager.default.temporaryDirectory.appendingPathComponent("skiff-cluster-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        var members: [Member] = []
        for index in 1...memberCount {
            members.append(
                Member(
                    name: "m\(index)", clientPort: try Self.freePort(), peerPort: try Self.freePort(),
                    dataDirectory: root.appendingPathComponent("m\(index)"),
                    logFile: root.appendingPathComponent("m\(index).log")))
        }
        self.members = members
    }

    var endpoints: [String] { members.map(\.clientURL) }

    var initialCluster: String {
        members.map { "\($0.name)=127.0.0.1:\($0.peerPort)" }.joined(separator: ",")
    }

    func start(_ name: String) throws {
        guard let member = members.first(where: { $0.name == name }) else { return }
        let process = Process()
        process.executableURL = binary
        process.arguments = [
            "store", "run", "--name", member.name, "--data-dir", member.dataDirectory.path,
            "--listen-client", member.clientURL, "--listen-peer", "127.0.0.1:\(member.peerPort)",
            "--initial-cluster", initialCluster,
        ] + extraArguments
        if !FileManager.default.fileExists(atPath: member.logFile.path) {
            _ = FileManager.default.createFile(atPath: member.logFile.path, contents: nil)
        }
        let log = try FileHandle(forWritingTo: member.logFile)
        log.seekToEndOfFile()
        process.standardOutput = log
        process.standardError = log
        try process.run()
        processes[name] = process
    }

    func startAll() throws {
        for member in members { try start(member.name) }
    }

    func kill(_ name: String) {
        guard let process = processes.removeValue(forKey: name) else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    func killAll() {
        for name in Array(processes.keys) { kill(name) }
    }

    func isRunning(_ name: String) -> Bool { processes[name]?.isRunning ?? false }

    /// Runs a member to completion (for startup that must fail); returns exit status and log.
    func runToExit(_ name: String, timeout: TimeInterval) throws -> (status: Int32, output: String) {
        try start(name)
        let deadline = Date().addingTimeInterval(timeout)
        while isRunning(name) && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        let process = processes[name]
        if process?.isRunning == true { kill(name) }
        processes.removeValue(forKey: name)
        return (process?.terminationStatus ?? -1, log(of: name))
    }

    func log(of name: String) -> String {
        guard let member = members.first(where: { $0.name == name }),
            let data = FileManager.default.contents(atPath: member.logFile.path)
        else { return "" }
        return String(decoding: data, as: UTF8.self)
    }

    func member(_ name: String) -> Member? { members.first { $0.name == name } }

    /// The name of the member every running member agrees leads, waiting up to `timeout`.
    func leader(timeout: TimeInterval = 15) async -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            for member in members where isRunning(member.name) {
                if let status = try? await GatewayClient(endpoints: [member.clientURL], timeout: .seconds(1)).status(),
                    let id = status.header?.memberID, id != 0, status.leader == id
                {
                    return member.name
                }
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return nil
    }

    /// Waits until a write through `endpoints` succeeds.
    func waitUntilWritable(timeout: TimeInterval = 20) async throws {
        let client = GatewayClient(endpoints: endpoints, timeout: .seconds(2))
        let deadline = Date().addingTimeInterval(timeout)
        var lastError: (any Error)?
        while Date() < deadline {
            do {
                _ = try await client.put(KV.PutRequest(key: Array("harness/ready".utf8), value: [1]))
                return
            } catch {
                lastError = error
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        throw HarnessError("cluster not writable within \(timeout) s: \(String(describing: lastError))\n\(allLogs())")
    }

    func allLogs() -> String {
        members.map { "--- \($0.name) ---\n" + String(log(of: $0.name).suffix(3000)) }.joined(separator: "\n")
    }

    /// WAL segment files of a member, oldest first.
    func walSegments(of name: String) -> [URL] {
        guard let member = member(name),
            let enumerator = FileManager.default.enumerator(at: member.dataDirectory, includingPropertiesForKeys: nil)
        else { return [] }
        var result: [URL] = []
        for case let url as URL in enumerator where url.pathExtension == "wal" { result.append(url) }
        return result.sorted { $0.path < $1.path }
    }

    func shutdown() {
        killAll()
        try? FileManager.default.removeItem(at: root)
    }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HarnessError("socket: errno \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw HarnessError("bind: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
