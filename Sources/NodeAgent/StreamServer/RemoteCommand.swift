import Foundation

/// Where the output of an exec or attach goes: the WebSocket channels or the SPDY streams of
/// one connection. Callable from any thread; implementations hop to their event loop and keep
/// the order of calls.
protocol RemoteCommandOutput: Sendable {
    func write(_ stream: RemoteCommandStream, _ bytes: [UInt8])
    /// Sends the final Status on the error channel, ends the output streams and closes.
    func finish(status: RemoteCommandStatus)
}

enum RemoteCommandStream: Sendable {
    case stdout, stderr
}

/// What a remote command's client sends: stdin bytes, its end, and terminal sizes.
protocol RemoteCommandInput: AnyObject, Sendable {
    func stdin(_ bytes: [UInt8])
    func closeStdin()
    func resize(width: UInt16, height: UInt16)
    /// The client went away: stdin ends, and output is dropped from now on.
    func connectionClosed()
}

/// The v1 Status the error channel carries (channel.k8s.io v4 and v5): kubectl prints
/// "command terminated with exit code n" and exits with n for a NonZeroExitCode failure.
enum RemoteCommandStatus: Sendable, Equatable {
    case success
    case exitCode(Int32)
    case failure(String)

    var json: [UInt8] {
        func object(_ fields: [String: Any]) -> [UInt8] {
            (try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])).map { Array($0) } ?? []
        }
        switch self {
        case .success:
            return object(["metadata": [String: Any](), "status": "Success"])
        case .exitCode(let code):
            return object([
                "metadata": [String: Any](), "status": "Failure", "reason": "NonZeroExitCode",
                "message": "command terminated with non-zero exit code: \(code)",
                "details": ["causes": [["reason": "ExitCode", "message": "\(code)"]]],
            ])
        case .failure(let message):
            return object(["metadata": [String: Any](), "status": "Failure", "reason": "InternalError", "message": message])
        }
    }
}

/// Terminal size messages (`{"Width":80,"Height":24}`), possibly several in one chunk as the
/// SPDY resize stream carries them back to back.
enum TerminalSizeParser {
    static func sizes(in bytes: [UInt8]) -> [(width: UInt16, height: UInt16)] {
        var result: [(UInt16, UInt16)] = []
        var start: Int?
        for (i, b) in bytes.enumerated() {
            if b == UInt8(ascii: "{") { start = i }
            if b == UInt8(ascii: "}"), let s = start {
                let data = Data(bytes[s...i])
                if let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                   let w = object["Width"] as? Int, let h = object["Height"] as? Int,
                   (0...Int(UInt16.max)).contains(w), (0...Int(UInt16.max)).contains(h) {
                    result.append((UInt16(w), UInt16(h)))
                }
                start = nil
            }
        }
        return result
    }
}
