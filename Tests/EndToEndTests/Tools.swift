import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// What a finished command said.
struct CommandResult: Sendable {
    var status: Int32
    var stdout: String
    var stderr: String
    var succeeded: Bool { status == 0 }
    var output: String { stdout + stderr }
}

struct CommandFailure: Error, CustomStringConvertible {
    let description: String
}

/// Running the real tools the test drives: the skiff binary, kubectl, ip, nft, curl.
enum Tools {
    /// The skiff executable next to the test bundle (or `SKIFF_BINARY`).
    static let skiff: String? = {
        if let explicit = ProcessInfo.processInfo.environment["SKIFF_BINARY"] { return explicit }
        var directory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("skiff").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return nil
    }()

    /// The checkout this test file belongs to (for `Scripts/build-images`).
    static let repositoryRoot: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    static func which(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for entry in path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin"] {
            let candidate = "\(entry)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    static var isRoot: Bool { geteuid() == 0 }

    /// Runs `executable` to completion (killed after `timeout`), capturing its output.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String], stdin: String? = nil,
                    environment: [String: String]? = nil, timeout: Duration = .seconds(120)) async throws -> CommandResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("skiff-e2e-out-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let outPath = directory.appendingPathComponent("out"), errPath = directory.appendingPathComponent("err")
        FileManager.default.createFile(atPath: outPath.path, contents: nil)
        FileManager.default.createFile(atPath: errPath.path, contents: nil)
        // Files rather than pipes: a daemon the command leaves behind cannot hold them open on us.
        process.standardOutput = try FileHandle(forWritingTo: outPath)
        process.standardError = try FileHandle(forWritingTo: errPath)
        if let stdin {
            let inPath = directory.appendingPathComponent("in")
            try stdin.write(to: inPath, atomically: true, encoding: .utf8)
            process.standardInput = try FileHandle(forReadingFrom: inPath)
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        try process.run()
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now > deadline {
                process.terminate()
                try await Task.sleep(for: .milliseconds(500))
                if process.isRunning { kill(process.processIdentifier, SIGKILL) }
                break
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        process.waitUntilExit()
        return CommandResult(
            status: process.terminationStatus,
            stdout: (try? String(contentsOf: outPath, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOf: errPath, encoding: .utf8)) ?? "")
    }

    /// Polls `condition` until it holds; fails with `message` and the last state otherwise.
    static func eventually(_ message: String, timeout: Duration = .seconds(120), interval: Duration = .milliseconds(500),
                           _ condition: () async throws -> (Bool, String)) async throws {
        let deadline = ContinuousClock.now + timeout
        var last = ""
        while ContinuousClock.now < deadline {
            let (ok, state) = try await condition()
            if ok { return }
            last = state
            try await Task.sleep(for: interval)
        }
        throw CommandFailure(description: "\(message) (not within \(timeout)); last seen: \(last)")
    }

    /// `count` consecutive ports below the ephemeral range that are free right now.
    static func freePorts(_ count: Int) throws -> Int {
        for _ in 0..<200 {
            let base = Int.random(in: 20000..<30000)
            if (base..<base + count).allSatisfy({ (try? bindable($0)) == true }) { return base }
        }
        throw CommandFailure(description: "found no \(count) consecutive free ports")
    }

    /// Whether 127.0.0.1:`port` can be bound (and released at once).
    static func bindable(_ port: Int) throws -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw CommandFailure(description: "socket: \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        return bound
    }
}
