import Foundation
import Synchronization
import Testing
@testable import ContainerRuntime
import LinuxSystem
import OCI

/// exec with `process.terminal`: a pty from the container's own devpts, its master handed to
/// the caller.
@Suite("Runtime exec with a terminal", .serialized, .enabled(if: isRoot, "\(rootOnly)"))
struct RuntimeExecTerminalTests {
    /// What a reader thread collected from a pty master, and whether it saw the end.
    final class Collected: Sendable {
        let state = Mutex<(text: [UInt8], done: Bool)>(([], false))
        func append(_ bytes: ArraySlice<UInt8>) { state.withLock { $0.text += bytes } }
        func finish() { state.withLock { $0.done = true } }
        var done: Bool { state.withLock { $0.done } }
        var text: String { state.withLock { String(decoding: $0.text, as: UTF8.self) } }
    }

    @Test("the process has a tty of the container's devpts; input and output go through the master")
    func execWithTerminal() throws {
        let sandbox = try RuntimeSandbox()
        defer { sandbox.finish() }
        try sandbox.runtime.create(id: "tty", bundle: try sandbox.bundle(["sleep", "30"]), options: sandbox.options)
        try sandbox.runtime.start(id: "tty")
        var process = try sandbox.runtime.execProcess(
            id: "tty", args: ["sh", "-c", "tty; [ -t 0 ] && [ -t 1 ] && echo both-tty; read line; echo got-$line"])
        process.terminal = true
        let collected = Collected()
        let exit = try sandbox.runtime.exec(id: "tty", process: process, stdio: ExecStdio(console: .handler { master in
            _ = "hello\n".withCString { write(master, $0, 6) }
            Thread.detachNewThread {
                var buffer = [UInt8](repeating: 0, count: 4096)
                while true {
                    let n = read(master, &buffer, buffer.count)
                    if n <= 0 { break }   // EIO once the last slave is closed
                    collected.append(buffer[..<n])
                }
                close(master)
                collected.finish()
            }
        }))
        for _ in 0..<1000 where !collected.done { usleep(10_000) }
        #expect(collected.done, "the master reported the hangup after the process exited")
        #expect(exit.exitCode == 0)
        let text = collected.text
        // A fresh devpts instance: the container's first pty, not one of the host's.
        #expect(text.contains("/dev/pts/0"), "output: \(text)")
        #expect(text.contains("both-tty"), "output: \(text)")
        #expect(text.contains("got-hello"), "output: \(text)")
    }

    @Test("a terminal without a console is refused before anything runs")
    func terminalNeedsConsole() throws {
        let sandbox = try RuntimeSandbox()
        defer { sandbox.finish() }
        try sandbox.runtime.create(id: "noconsole", bundle: try sandbox.bundle(["sleep", "30"]), options: sandbox.options)
        try sandbox.runtime.start(id: "noconsole")
        var process = try sandbox.runtime.execProcess(id: "noconsole", args: ["true"])
        process.terminal = true
        #expect(throws: RuntimeError.self) { _ = try sandbox.runtime.exec(id: "noconsole", process: process) }
    }
}
