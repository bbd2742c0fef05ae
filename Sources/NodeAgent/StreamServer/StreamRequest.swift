import Foundation

/// A request to the streaming server, parsed from its path and query.
enum StreamRequest: Sendable, Equatable {
    case logs(namespace: String, pod: String, container: String, options: ContainerLogOptions)
    case exec(namespace: String, pod: String, container: String, options: ExecProcess.Options)
    case attach(namespace: String, pod: String, container: String, options: ExecProcess.Options)
    case portForward(namespace: String, pod: String)

    init(uri: String) throws(StreamRequestError) {
        let (path, query) = Self.split(uri)
        let segments = path.split(separator: "/").map { $0.removingPercentEncoding ?? String($0) }
        guard let kind = segments.first else { throw .notFound("no such endpoint: \(path)") }
        func flag(_ name: String) throws(StreamRequestError) -> Bool {
            guard let value = query[name]?.last else { return false }
            switch value.lowercased() {
            case "", "1", "true": return true
            case "0", "false": return false
            default: throw .badRequest("\(name)=\(value) is not a boolean")
            }
        }
        switch (kind, segments.count) {
        case ("containerLogs", 4):
            self = .logs(namespace: segments[1], pod: segments[2], container: segments[3], options: try ContainerLogOptions(query: query))
        case ("exec", 4), ("attach", 4):
            let options = ExecProcess.Options(command: query["command"] ?? [], stdin: try flag("stdin"), stdout: try flag("stdout"),
                                              stderr: try flag("stderr"), tty: try flag("tty"))
            guard options.stdin || options.stdout || options.stderr else {
                throw .badRequest("you must specify at least one of stdin, stdout, stderr")
            }
            if kind == "exec" {
                guard !options.command.isEmpty else { throw .badRequest("you must specify at least one command for the container") }
                self = .exec(namespace: segments[1], pod: segments[2], container: segments[3], options: options)
            } else {
                self = .attach(namespace: segments[1], pod: segments[2], container: segments[3], options: options)
            }
        case ("portForward", 3):
            self = .portForward(namespace: segments[1], pod: segments[2])
        default:
            throw .notFound("no such endpoint: \(path)")
        }
    }

    var isUpgrade: Bool {
        if case .logs = self { return false }
        return true
    }

    static func split(_ uri: String) -> (path: String, query: [String: [String]]) {
        guard let mark = uri.firstIndex(of: "?") else { return (uri, [:]) }
        var query: [String: [String]] = [:]
        for pair in uri[uri.index(after: mark)...].split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String { s.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(s) }
            query[decode(parts[0]), default: []].append(parts.count > 1 ? decode(parts[1]) : "")
        }
        return (String(uri[..<mark]), query)
    }
}

/// Why a stream request is refused: the HTTP status and the message of its Status.
struct StreamRequestError: Error, Sendable, Equatable, CustomStringConvertible {
    var code: Int
    var message: String
    var description: String { message }

    static func badRequest(_ message: String) -> Self { .init(code: 400, message: message) }
    static func notFound(_ message: String) -> Self { .init(code: 404, message: message) }
    static func internalError(_ message: String) -> Self { .init(code: 500, message: message) }

    init(code: Int, message: String) {
        self.code = code
        self.message = message
    }

    init(_ error: any Error) {
        if let known = error as? StreamRequestError { self = known; return }
        if let target = error as? StreamTargetError { self.init(code: target.code, message: target.message); return }
        self.init(code: 500, message: "\(error)")
    }

    var statusJSON: [UInt8] {
        let reason: String
        switch code {
        case 400: reason = "BadRequest"
        case 404: reason = "NotFound"
        case 403: reason = "Forbidden"
        default: reason = "InternalError"
        }
        let object: [String: Any] = ["kind": "Status", "apiVersion": "v1", "metadata": [String: Any](), "status": "Failure",
                                     "message": message, "reason": reason, "code": code]
        return (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])).map { Array($0) } ?? []
    }
}
