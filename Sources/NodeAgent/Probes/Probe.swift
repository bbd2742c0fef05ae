import APIModel
import ContainerRuntime
import Foundation
import Synchronization

/// A probe of the PodSpec (`livenessProbe`, `readinessProbe`, `startupProbe`) with Kubernetes'
/// defaults: period 10 s, timeout 1 s, success threshold 1, failure threshold 3.
struct ProbeSpec: Sendable {
    var handler: JSONValue
    var initialDelay: Duration
    var period: Duration
    var timeout: Duration
    var successThreshold: Int
    var failureThreshold: Int

    init(_ json: JSONValue) {
        handler = json
        initialDelay = .seconds(json["initialDelaySeconds"]?.intValue ?? 0)
        period = .seconds(max(json["periodSeconds"]?.intValue ?? 10, 1))
        timeout = .seconds(max(json["timeoutSeconds"]?.intValue ?? 1, 1))
        successThreshold = Int(max(json["successThreshold"]?.intValue ?? 1, 1))
        failureThreshold = Int(max(json["failureThreshold"]?.intValue ?? 3, 1))
    }
}

/// What a probe or a lifecycle hook acts on.
struct HandlerTarget: Sendable {
    var runtime: Runtime
    var runtimeID: String
    /// Where httpGet and tcpSocket connect when the handler names no host.
    var podIP: String
    /// Named container ports (`http` → 8080).
    var namedPorts: [String: Int]
}

enum HandlerOutcome: Sendable, Equatable {
    case success
    case failure(String)

    var succeeded: Bool { self == .success }
}

/// Runs exec, httpGet and tcpSocket handlers (probes and postStart/preStop hooks).
enum HandlerRunner {
    static func run(_ handler: JSONValue, target: HandlerTarget, timeout: Duration) async -> HandlerOutcome {
        if let exec = handler["exec"] {
            return await runExec(command: exec["command"]?.arrayValue?.compactMap(\.stringValue) ?? [], target: target, timeout: timeout)
        }
        if let http = handler["httpGet"] {
            guard let port = port(http["port"], target) else { return .failure("httpGet has no usable port") }
            let host = http["host"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? target.podIP
            let scheme = http["scheme"]?.stringValue ?? "HTTP"
            guard scheme.uppercased() == "HTTP" else { return .failure("httpGet scheme \(scheme) is not supported on this node") }
            let headers = (http["httpHeaders"]?.arrayValue ?? []).compactMap { header -> (String, String)? in
                guard let name = header["name"]?.stringValue else { return nil }
                return (name, header["value"]?.stringValue ?? "")
            }
            let path = http["path"]?.stringValue ?? "/"
            do {
                let code = try await Blocking.run {
                    try ProbeConnections.httpGet(host: host, port: port, path: path, headers: headers, timeout: timeout)
                }
                return (200..<400).contains(code) ? .success : .failure("HTTP probe failed with statuscode: \(code)")
            } catch {
                return .failure("Get \"http://\(host):\(port)\(path)\": \(error)")
            }
        }
        if let tcp = handler["tcpSocket"] {
            guard let port = port(tcp["port"], target) else { return .failure("tcpSocket has no usable port") }
            let host = tcp["host"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? target.podIP
            do {
                let fd = try await Blocking.run { try ProbeConnections.connect(host: host, port: port, timeout: timeout) }
                close(fd)
                return .success
            } catch {
                return .failure("\(error)")
            }
        }
        if let sleep = handler["sleep"]?["seconds"]?.intValue {
            try? await Task.sleep(for: .seconds(sleep))
            return .success
        }
        return .failure("the handler names no action")
    }

    static func port(_ value: JSONValue?, _ target: HandlerTarget) -> Int? {
        if let number = value?.intValue { return Int(number) }
        if let name = value?.stringValue { return Int(name) ?? target.namedPorts[name] }
        return nil
    }

    /// Runs the command in the container; exit 0 is success. A command that outlives the
    /// timeout is a failure (it is left to finish on its own, as Kubernetes' exec probes are).
    static func runExec(command: [String], target: HandlerTarget, timeout: Duration) async -> HandlerOutcome {
        guard !command.isEmpty else { return .failure("exec has no command") }
        let runtime = target.runtime
        let id = target.runtimeID
        let flag = OnceFlag()
        return await withCheckedContinuation { (continuation: CheckedContinuation<HandlerOutcome, Never>) in
            let finish: @Sendable (HandlerOutcome) -> Void = { outcome in
                if flag.claim() { continuation.resume(returning: outcome) }
            }
            Blocking.queue.async {
                do {
                    let devnull = open("/dev/null", O_RDWR | O_CLOEXEC)
                    defer { if devnull >= 0 { close(devnull) } }
                    let process = try runtime.execProcess(id: id, args: command)
                    let exit = try runtime.exec(id: id, process: process, stdio: ExecStdio(stdin: devnull, stdout: devnull, stderr: devnull))
                    finish(exit.exitCode == 0 ? .success : .failure("command \(command) exited with \(exit.exitCode)"))
                } catch {
                    finish(.failure("exec \(command): \(error)"))
                }
            }
            let milliseconds = Int(ProbeConnections.milliseconds(timeout))
            Blocking.queue.asyncAfter(deadline: .now() + .milliseconds(milliseconds)) {
                finish(.failure("command \(command) timed out after \(timeout)"))
            }
        }
    }
}

/// True for the first caller of `claim` only: resumes a continuation exactly once when two
/// racers (the work and its timeout) finish.
final class OnceFlag: Sendable {
    private let claimed = Mutex(false)

    func claim() -> Bool {
        claimed.withLock { claimed in
            defer { claimed = true }
            return !claimed
        }
    }
}
