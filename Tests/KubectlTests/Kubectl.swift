import Foundation
import Testing

/// One real kubectl build from the Cloud SDK folder (`kubectl` there is a dispatcher that picks
/// `kubectl.1.<minor>` by the server's version; the tests call each build directly).
struct KubectlVersion: Sendable, CustomTestStringConvertible, CustomStringConvertible {
    let minor: Int
    var name: String { "kubectl.1.\(minor)" }
    var description: String { name }
    var testDescription: String { name }

    /// The versions the suite runs against: the oldest, a middle and the newest on the machines.
    static let all = [27, 30, 33].map(KubectlVersion.init)

    /// Folder of `readlink -f $(which kubectl)`.
    static let directory: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for entry in path.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(entry)).appendingPathComponent("kubectl")
            if FileManager.default.isExecutableFile(atPath: candidate.path) {
                return candidate.resolvingSymlinksInPath().deletingLastPathComponent().path
            }
        }
        return nil
    }()

    var path: String? {
        guard let directory = Self.directory else { return nil }
        let candidate = (directory as NSString).appendingPathComponent(name)
        return FileManager.default.isExecutableFile(atPath: candidate) ? candidate : nil
    }

    static var missing: [String] { all.filter { $0.path == nil }.map(\.name) }
    static var everythingPresent: Bool { missing.isEmpty && SkiffServer.binary != nil }
    static let skipReason: Comment =
        "needs kubectl.1.27, kubectl.1.30 and kubectl.1.33 beside `kubectl` (Cloud SDK) and the built skiff binary"
}

/// kubectl of one version bound to one live server, with its own HOME and discovery cache so
/// nothing leaks between tests or versions.
struct Kubectl: Sendable {
    let version: KubectlVersion
    let executable: String
    let server: SkiffServer
    let workDirectory: URL

    init(_ version: KubectlVersion, server: SkiffServer) throws {
        guard let executable = version.path else { throw HarnessError("\(version.name) not found") }
        self.version = version
        self.executable = executable
        self.server = server
        workDirectory = server.root.appendingPathComponent("kubectl-\(version.minor)-\(UUID().uuidString.prefix(6))")
        try FileManager.default.createDirectory(
            at: workDirectory.appendingPathComponent("home"), withIntermediateDirectories: true)
    }

    var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = workDirectory.appendingPathComponent("home").path
        environment["KUBECACHEDIR"] = workDirectory.appendingPathComponent("cache").path
        environment["KUBECONFIG"] = server.kubeconfig
        // `edit` keeps copies of failed edits in TMPDIR: inside the test's directory, removed with it.
        environment["TMPDIR"] = workDirectory.path
        environment.removeValue(forKey: "KUBECTL_EXTERNAL_DIFF")
        return environment
    }

    func arguments(_ arguments: [String]) -> [String] { ["--kubeconfig", server.kubeconfig] + arguments }

    /// Runs kubectl and returns whatever happened.
    func run(_ arguments: [String], stdin: String? = nil, environment extra: [String: String] = [:],
             timeout: Duration = .seconds(60)) async throws -> CommandResult {
        try await ChildProcess.run(
            executable, self.arguments(arguments), environment: environment.merging(extra) { $1 }, stdin: stdin,
            outputDirectory: workDirectory, timeout: timeout)
    }

    /// Starts kubectl in the background (`get -w`, `wait`).
    func start(_ arguments: [String], environment extra: [String: String] = [:]) throws -> ChildProcess.Running {
        try ChildProcess.start(
            executable, self.arguments(arguments), environment: environment.merging(extra) { $1 },
            outputDirectory: workDirectory)
    }

    /// Runs kubectl and records an issue naming the command and its output unless it exits 0.
    @discardableResult
    func succeed(_ arguments: [String], stdin: String? = nil, environment extra: [String: String] = [:],
                 sourceLocation: SourceLocation = #_sourceLocation) async throws -> CommandResult {
        let result = try await run(arguments, stdin: stdin, environment: extra)
        #expect(result.succeeded, "\(version): \(result)", sourceLocation: sourceLocation)
        return result
    }

    /// Like `succeed`, but stops the test when the command fails (later steps depend on it).
    @discardableResult
    func require(_ arguments: [String], stdin: String? = nil, environment extra: [String: String] = [:],
                 sourceLocation: SourceLocation = #_sourceLocation) async throws -> CommandResult {
        let result = try await run(arguments, stdin: stdin, environment: extra)
        try #require(result.succeeded, "\(version): \(result)", sourceLocation: sourceLocation)
        return result
    }

    /// Runs a command that must fail; records an issue if it succeeds or if its error output
    /// lacks `mentioning`.
    @discardableResult
    func fail(_ arguments: [String], stdin: String? = nil, mentioning expected: [String] = [],
              sourceLocation: SourceLocation = #_sourceLocation) async throws -> CommandResult {
        let result = try await run(arguments, stdin: stdin)
        #expect(!result.succeeded && !result.timedOut, "\(version): expected a failure: \(result)", sourceLocation: sourceLocation)
        for text in expected {
            #expect(result.stderr.contains(text), "\(version): stderr should mention \(text): \(result)", sourceLocation: sourceLocation)
        }
        return result
    }

    /// `get … -o json`, decoded; nil (with an issue recorded) when the command or decoding fails.
    func json(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) async throws -> JSON? {
        let result = try await run(arguments + ["-o", "json"])
        guard result.succeeded else {
            Issue.record("\(version): \(result)", sourceLocation: sourceLocation)
            return nil
        }
        guard let value = JSON(parsing: result.stdout) else {
            Issue.record("\(version): output is not JSON: \(result)", sourceLocation: sourceLocation)
            return nil
        }
        return value
    }

    /// Whether the object exists (`get` exits 0), distinguishing NotFound from other failures.
    func exists(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) async throws -> Bool {
        let result = try await run(["get"] + arguments + ["-o", "name"])
        if result.succeeded { return true }
        #expect(result.stderr.contains("NotFound") || result.stderr.contains("not found"),
                "\(version): expected found or NotFound: \(result)", sourceLocation: sourceLocation)
        return false
    }

    /// Writes `text` to a file in this kubectl's work directory and returns its path.
    func file(_ name: String, _ text: String) throws -> String {
        let path = workDirectory.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Creates objects from raw JSON with `kubectl create --raw` (a plain POST: no OpenAPI,
    /// no protobuf), so tests of other verbs do not depend on `create -f` working.
    func seed(_ path: String, _ object: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let file = try self.file("seed-\(UUID().uuidString.prefix(6)).json", object)
        try await require(["create", "--raw", path, "-f", file], sourceLocation: sourceLocation)
    }
}

/// Runs `body` with a fresh server and the given kubectl.
func withKubectl(_ version: KubectlVersion, _ body: (Kubectl) async throws -> Void) async throws {
    try await SkiffServer.with { server in
        let kubectl = try Kubectl(version, server: server)
        do {
            try await body(kubectl)
        } catch {
            Issue.record("\(version): server log tail:\n\(String(server.log.suffix(2000)))")
            throw error
        }
    }
}
