import Foundation
import Testing

/// The official Python client (`kubernetes` from PyPI, installed by Scripts/setup) against a
/// live server: python/client_workflow.py does create, list, watch, patch and delete.
@Suite(.serialized, .enabled(if: PythonClient.available, PythonClient.skipReason))
struct PythonClientTests {
    @Test("the Python client creates, lists, watches, patches and deletes")
    func workflow() async throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("python/client_workflow.py")
        try await SkiffServer.with { server in
            let result = try await ChildProcess.run(
                PythonClient.python, [script.path, server.kubeconfig],
                environment: ProcessInfo.processInfo.environment, outputDirectory: server.root, timeout: .seconds(180))
            #expect(result.succeeded, "\(result)\nserver log tail:\n\(String(server.log.suffix(2000)))")
            for step in ["version", "create", "list", "watch from a resourceVersion", "live watch", "patch", "delete"] {
                #expect(result.stdout.contains("ok \(step)\n"), "step \(step) did not pass:\n\(result.stdout)")
            }
        }
    }
}

enum PythonClient {
    /// `python3` from PATH.
    static let python: String = {
        for entry in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            let candidate = "\(entry)/python3"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return "/usr/bin/python3"
    }()

    /// Whether python3 imports `kubernetes` and the skiff binary is built.
    static let available: Bool = {
        guard SkiffServer.binary != nil else { return false }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", "import kubernetes"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
            process.waitUntilExit()
            return process.terminationStatus == 0
        } catch {
            return false
        }
    }()

    static let skipReason: Comment = "needs python3 with the `kubernetes` package (Scripts/setup installs it) and the built skiff binary"
}
