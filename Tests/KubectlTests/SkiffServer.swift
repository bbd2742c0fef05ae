import Foundation
import Testing

/// A live `skiff server` child process on loopback: a temp data directory, free ports for the
/// apiserver and the store member, and the admin kubeconfig the server writes. `with` stops it
/// with SIGKILL and removes the directory on every path, failing tests included.
struct SkiffServer: Sendable {
    let root: URL
    let dataDirectory: URL
    let kubeconfig: String
    let url: String
    let logPath: String

    /// The built `skiff` beside the test bundle (or `$SKIFF_BINARY`).
    static let binary: String? = {
        if let explicit = ProcessInfo.processInfo.environment["SKIFF_BINARY"] { return explicit }
        var directory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("skiff").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return nil
    }()

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Starts a server, runs `body` against it, then kills it and removes its files.
    static func with<T: Sendable>(dataDirectory: URL? = nil, _ body: (SkiffServer) async throws -> T) async throws -> T {
        try await withMembers(1, dataDirectory: dataDirectory) { servers in try await body(servers[0]) }
    }

    /// Starts `count` servers founding one store (`--initial-cluster`), each with its own data
    /// directory and apiserver, runs `body`, then kills them all and removes their files.
    static func withMembers<T: Sendable>(
        _ count: Int, dataDirectory: URL? = nil, _ body: ([SkiffServer]) async throws -> T
    ) async throws -> T {
        guard let binary else { throw HarnessError("the skiff binary was not found next to the tests (build it first)") }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("skiff-kubectl-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        var children: [ChildProcess.Running] = []
        do {
            let ports = try (0..<count).map { _ in (api: try freePort(), client: try freePort(), peer: try freePort()) }
            let initial = ports.indices.map { "m\($0)=127.0.0.1:\(ports[$0].peer)" }.joined(separator: ",")
            var servers: [SkiffServer] = []
            for (index, port) in ports.enumerated() {
                let data = dataDirectory ?? root.appendingPathComponent(count == 1 ? "data" : "data-m\(index)")
                let running = try ChildProcess.start(
                    binary,
                    [
                        "server", "--data-dir", data.path, "--cluster-name", "test", "--name", "m\(index)",
                        "--api-port", "\(port.api)", "--bind", "127.0.0.1",
                        "--store-listen-client", "http://127.0.0.1:\(port.client)",
                        "--store-listen-peer", "127.0.0.1:\(port.peer)", "--initial-cluster", initial,
                        "--disable-agent", "--log-level", "info",
                    ],
                    environment: ProcessInfo.processInfo.environment, outputDirectory: root)
                children.append(running)
                servers.append(SkiffServer(
                    root: root, dataDirectory: data, kubeconfig: data.appendingPathComponent("admin.kubeconfig").path,
                    url: "https://127.0.0.1:\(port.api)", logPath: running.stderrPath))
            }
            for running in children {
                let ready = await running.waitForOutput(timeout: .seconds(90)) { $0.contains("skiff server ready:") }
                guard ready else {
                    throw HarnessError("skiff server did not report ready:\n\(running.stdout)\n\(String(running.stderr.suffix(4000)))")
                }
            }
            let value = try await body(servers)
            for child in children { _ = await child.stop() }
            try? FileManager.default.removeItem(at: root)
            return value
        } catch {
            for child in children { _ = await child.stop() }
            try? FileManager.default.removeItem(at: root)
            throw error
        }
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
