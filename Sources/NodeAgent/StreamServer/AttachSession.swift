import ContainerRuntime
import Logging
import Synchronization

/// `attach`: the container's output as it is logged, from now until the container stops.
/// The runtime's monitor connects a logged container's stdin to /dev/null and keeps no handle
/// to it, so stdin sent to an attach is dropped (and said so in the node's log).
final class AttachSession: RemoteCommandInput {
    private let runtime: Runtime
    private let target: StreamTarget
    private let options: ExecProcess.Options
    private let output: any RemoteCommandOutput
    private let logger: Logger
    private let task = Mutex<Task<Void, Never>?>(nil)
    private let warnedAboutStdin = Mutex(false)

    init(runtime: Runtime, target: StreamTarget, options: ExecProcess.Options, output: any RemoteCommandOutput, logger: Logger) {
        self.runtime = runtime
        self.target = target
        self.options = options
        self.output = output
        self.logger = logger
    }

    func start() {
        let runtime = self.runtime, id = target.runtimeID, output = self.output, options = self.options
        let follower = ContainerLogFollower(path: target.logPath) { (try? runtime.inspect(id: id))?.status == .running }
        let fd: Int32
        do {
            fd = try follower.open()
        } catch {
            output.finish(status: .failure("cannot attach to container \(id): \(error)"))
            return
        }
        let started = Task {
            for await batch in follower.lines(fd: fd, follow: true, fromEnd: true) {
                for line in batch {
                    let stream: RemoteCommandStream = line.stream == "stderr" && !options.tty ? .stderr : .stdout
                    if (stream == .stdout && options.stdout) || (stream == .stderr && options.stderr) {
                        output.write(stream, line.text + [UInt8(ascii: "\n")])
                    }
                }
            }
            output.finish(status: .success)
        }
        task.withLock { $0 = started }
    }

    func stdin(_ bytes: [UInt8]) {
        guard !bytes.isEmpty, warnedAboutStdin.withLock({ w in defer { w = true }; return !w }) else { return }
        logger.warning("attach: stdin is not connected; the container's stdin is /dev/null under the runtime's monitor",
                       metadata: ["container": "\(target.runtimeID)"])
    }

    func closeStdin() {}
    func resize(width: UInt16, height: UInt16) {}

    func connectionClosed() {
        task.withLock { $0?.cancel() }
    }
}
