/// Command-line options (parsed by hand: the driver has no argument-parser dependency).
struct BenchOptions {
    enum Mode: String { case verbs, paced, watch }

    var mode: Mode
    var server = "https://127.0.0.1:6443"
    /// The server's data directory: the admin certificate and the CA are read from `pki/`.
    var dataDirectory = ""
    var clients = 1
    var seconds = 5.0
    var rate = 200.0
    var watchers = 100
    var events = 200

    init(arguments: [String]) throws {
        guard let first = arguments.first, let mode = Mode(rawValue: first) else {
            throw BenchError("usage: APIServerBench verbs|paced|watch --server URL --data-dir D [--clients N] [--seconds S] [--rate R] [--watchers N] [--events E]")
        }
        self.mode = mode
        var rest = arguments.dropFirst()
        while let flag = rest.popFirst() {
            guard let value = rest.popFirst() else { throw BenchError("\(flag) needs a value") }
            switch flag {
            case "--server": server = value
            case "--data-dir": dataDirectory = value
            case "--clients": clients = try Self.number(flag, value)
            case "--seconds": seconds = try Self.number(flag, value)
            case "--rate": rate = try Self.number(flag, value)
            case "--watchers": watchers = try Self.number(flag, value)
            case "--events": events = try Self.number(flag, value)
            default: throw BenchError("unknown option \(flag)")
            }
        }
        guard !dataDirectory.isEmpty else { throw BenchError("--data-dir is required (the server's data directory)") }
        guard clients > 0, seconds > 0, rate > 0, watchers > 0, events > 0 else { throw BenchError("counts must be positive") }
    }

    static func number<T: LosslessStringConvertible>(_ flag: String, _ value: String) throws -> T {
        guard let parsed = T(value) else { throw BenchError("\(flag): '\(value)' is not a number") }
        return parsed
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
