import Logging
import NIOCore

/// exec/attach over SPDY/3.1 with `v4.channel.k8s.io`: the client opens one stream per
/// `streamType` (error, and stdin/stdout/stderr/resize as asked); once all are there the
/// command starts. The Status goes out on the error stream, then every stream ends.
final class RemoteCommandSPDYSession: SPDYApplication {
    private let options: ExecProcess.Options
    private let logger: Logger
    private let start: (any RemoteCommandOutput) -> any RemoteCommandInput
    private var session: SPDYSessionRef?
    private var streams: [String: UInt32] = [:]
    private var input: (any RemoteCommandInput)?
    private var pendingStdin: [[UInt8]] = []
    private var stdinEnded = false

    init(options: ExecProcess.Options, logger: Logger, start: @escaping (any RemoteCommandOutput) -> any RemoteCommandInput) {
        self.options = options
        self.logger = logger
        self.start = start
    }

    private var expected: Set<String> {
        var types: Set<String> = ["error"]
        if options.stdin { types.insert("stdin") }
        if options.stdout { types.insert("stdout") }
        if options.stderr && !options.tty { types.insert("stderr") }
        if options.tty { types.insert("resize") }
        return types
    }

    func sessionStarted(_ session: SPDYSessionRef) {
        self.session = session
    }

    func streamOpened(_ id: UInt32, headers: SPDYHeaders, fin: Bool) {
        guard let session else { return }
        guard let type = headers["streamtype"], ["error", "stdin", "stdout", "stderr", "resize"].contains(type) else {
            session.send(.rstStream(streamID: id, status: SPDYFrame.refusedStream))
            return
        }
        session.send(.synReply(streamID: id, headers: SPDYHeaders(), fin: false))
        streams[type] = id
        if type == "stdin" && fin { stdinEnded = true }
        guard input == nil, expected.isSubset(of: Set(streams.keys)) else { return }
        let output = SPDYRemoteCommandOutput(session: session, streams: streams)
        let started = start(output)
        input = started
        for chunk in pendingStdin { started.stdin(chunk) }
        pendingStdin = []
        if stdinEnded { started.closeStdin() }
    }

    func streamData(_ id: UInt32, bytes: [UInt8], fin: Bool) {
        if id == streams["stdin"] {
            if let input {
                input.stdin(bytes)
                if fin { input.closeStdin() }
            } else {
                pendingStdin.append(bytes)
                if fin { stdinEnded = true }
            }
        } else if id == streams["resize"] {
            for size in TerminalSizeParser.sizes(in: bytes) { input?.resize(width: size.width, height: size.height) }
        }
    }

    func streamReset(_ id: UInt32) {
        if id == streams["stdin"] { input?.closeStdin() }
    }

    func sessionClosed() {
        input?.connectionClosed()
        input = nil
    }
}

/// A remote command's output as DATA frames on the client's stdout/stderr streams; `finish`
/// writes the Status on the error stream and ends all streams and the connection.
struct SPDYRemoteCommandOutput: RemoteCommandOutput {
    let session: SPDYSessionRef
    let streams: [String: UInt32]
    private let finished = SharedFlag()

    init(session: SPDYSessionRef, streams: [String: UInt32]) {
        self.session = session
        self.streams = streams
    }

    func write(_ stream: RemoteCommandStream, _ bytes: [UInt8]) {
        guard !finished.isSet, let id = streams[stream == .stdout ? "stdout" : "stderr"] else { return }
        session.send(.data(streamID: id, bytes: bytes, fin: false))
    }

    func finish(status: RemoteCommandStatus) {
        guard finished.set() else { return }
        var frames: [SPDYFrame] = []
        for type in ["stdout", "stderr", "stdin", "resize"] {
            if let id = streams[type] { frames.append(.data(streamID: id, bytes: [], fin: true)) }
        }
        if let id = streams["error"] {
            // Success is an empty error stream in v4; a failure is its Status.
            frames.append(.data(streamID: id, bytes: status == .success ? [] : status.json, fin: true))
        }
        session.send(frames, thenClose: true)
    }
}
