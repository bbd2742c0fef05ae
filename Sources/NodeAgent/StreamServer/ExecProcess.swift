import ContainerRuntime
import Foundation
import Logging
import OCI
import Synchronization

/// One `exec` in a running container: the command runs through `Runtime.exec`, which blocks
/// until the process exits, so it gets a thread of its own; so do the readers of its output.
/// Without a terminal the process gets pipes (or /dev/null for what the client did not ask
/// for); with one, the pty master the runtime hands over carries stdin and stdout both ways.
final class ExecProcess: RemoteCommandInput {
    struct Options: Sendable, Equatable {
        var command: [String]
        var stdin: Bool
        var stdout: Bool
        var stderr: Bool
        var tty: Bool
    }

    private struct State {
        /// Where stdin goes: our end of the stdin pipe, or the pty master.
        var stdinFD: Int32 = -1
        var master: Int32 = -1
        var pendingSize: (UInt16, UInt16)?
        var stdinClosed = false
    }

    private let runtime: Runtime
    private let containerID: String
    private let options: Options
    private let output: any RemoteCommandOutput
    private let logger: Logger
    private let state = Mutex(State())
    /// Serializes writes to stdin with closing it, off the event loop (writes may block).
    private let stdinQueue = DispatchQueue(label: "skiff.exec.stdin")

    init(runtime: Runtime, containerID: String, options: Options, output: any RemoteCommandOutput, logger: Logger) {
        self.runtime = runtime
        self.containerID = containerID
        self.options = options
        self.output = output
        self.logger = logger
    }

    func start() {
        let thread = Thread { [self] in self.run() }
        thread.name = "skiff-exec"
        thread.start()
    }

    // MARK: Input from the client

    func stdin(_ bytes: [UInt8]) {
        guard options.stdin, !bytes.isEmpty else { return }
        stdinQueue.async { [self] in
            let fd = state.withLock { $0.stdinClosed && !options.tty ? -1 : $0.stdinFD }
            if fd >= 0 { Self.writeAll(fd, bytes) }
        }
    }

    func closeStdin() {
        // A terminal has no end of input apart from what the client types (^D); its master also
        // carries the output, so it stays open.
        guard !options.tty else { return }
        stdinQueue.async { [self] in
            let fd = state.withLock { s -> Int32 in
                defer { s.stdinClosed = true; s.stdinFD = -1 }
                return s.stdinClosed ? -1 : s.stdinFD
            }
            if fd >= 0 { close(fd) }
        }
    }

    func resize(width: UInt16, height: UInt16) {
        guard options.tty else { return }
        let master = state.withLock { s -> Int32 in
            if s.master < 0 { s.pendingSize = (width, height) }
            return s.master
        }
        if master >= 0 { Self.setWindowSize(master, width: width, height: height) }
    }

    func connectionClosed() {
        closeStdin()
    }

    // MARK: The process

    private func run() {
        var process: RuntimeSpec.Process
        do {
            process = try runtime.execProcess(id: containerID, args: options.command)
        } catch {
            output.finish(status: .failure("cannot exec in container \(containerID): \(error)"))
            return
        }
        let readers = DispatchGroup()
        var childEnds: [Int32] = []
        var stdio = ExecStdio()
        if options.tty {
            process.terminal = true
            if !(process.env ?? []).contains(where: { $0.hasPrefix("TERM=") }) { process.env = (process.env ?? []) + ["TERM=xterm"] }
            stdio.console = .handler { [self] master in
                let size = state.withLock { s -> (UInt16, UInt16)? in
                    s.master = master
                    s.stdinFD = master
                    return s.pendingSize
                }
                if let size { Self.setWindowSize(master, width: size.0, height: size.1) }
                startReader(master, stream: .stdout, closeWhenDone: false, group: readers)
            }
        } else {
            func devNull(_ flags: Int32) -> Int32 {
                let fd = open("/dev/null", flags | O_CLOEXEC)
                if fd >= 0 { childEnds.append(fd) }
                return fd
            }
            if options.stdin, let (read, write) = Self.pipe() {
                childEnds.append(read)
                state.withLock { $0.stdinFD = write }
                stdio.stdin = read
            } else {
                stdio.stdin = devNull(O_RDONLY)
            }
            for (wanted, stream) in [(options.stdout, RemoteCommandStream.stdout), (options.stderr, .stderr)] {
                let fd: Int32
                if wanted, let (read, write) = Self.pipe() {
                    childEnds.append(write)
                    startReader(read, stream: stream, closeWhenDone: true, group: readers)
                    fd = write
                } else {
                    fd = devNull(O_WRONLY)
                }
                if stream == .stdout { stdio.stdout = fd } else { stdio.stderr = fd }
            }
        }

        let status: RemoteCommandStatus
        do {
            let exit = try runtime.exec(id: containerID, process: process, stdio: stdio)
            status = exit.exitCode == 0 ? .success : .exitCode(exit.exitCode)
        } catch {
            status = .failure("command could not run in container \(containerID): \(error)")
        }
        for fd in childEnds { close(fd) }
        // Output still in the pipes (or the pty) is read to its end before the status goes out;
        // a background process that keeps the pipe open does not hold the exec forever.
        if readers.wait(timeout: .now() + 5) == .timedOut {
            logger.debug("exec output still open after the process exited", metadata: ["container": "\(containerID)"])
        }
        stdinQueue.async { [self] in
            let fd = state.withLock { s -> Int32 in
                defer { s.stdinFD = -1; s.master = -1; s.stdinClosed = true }
                return s.stdinFD
            }
            if fd >= 0 { close(fd) }
        }
        output.finish(status: status)
    }

    private func startReader(_ fd: Int32, stream: RemoteCommandStream, closeWhenDone: Bool, group: DispatchGroup) {
        group.enter()
        let output = self.output
        let thread = Thread {
            var buffer = [UInt8](repeating: 0, count: 32 * 1024)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n > 0 {
                    output.write(stream, Array(buffer[0..<n]))
                } else if n < 0 && errno == EINTR {
                    continue
                } else {
                    break
                }
            }
            if closeWhenDone { close(fd) }
            group.leave()
        }
        thread.name = "skiff-exec-output"
        thread.start()
    }

    private static func pipe() -> (Int32, Int32)? {
        var fds: [Int32] = [-1, -1]
        guard linuxPipe2(&fds, O_CLOEXEC) == 0 else { return nil }
        return (fds[0], fds[1])
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n > 0 { offset += n } else if n < 0 && errno == EINTR { continue } else { return }
        }
    }

    static func setWindowSize(_ fd: Int32, width: UInt16, height: UInt16) {
        var size = winsize(ws_row: height, ws_col: width, ws_xpixel: 0, ws_ypixel: 0)
        _ = ioctl(fd, UInt(TIOCSWINSZ), &size)
    }
}

/// glibc's pipe2(2), which Swift's Glibc module hides (it is a _GNU_SOURCE declaration): the
/// pipe is close-on-exec from birth, so no process forked meanwhile inherits it.
@_silgen_name("pipe2")
private func linuxPipe2(_ fds: UnsafeMutablePointer<Int32>, _ flags: Int32) -> Int32
