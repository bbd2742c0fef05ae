import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Shows the steps of `skiff up` the way kind does: a line per step that turns into a ✓ with
/// the step's duration when it is done (or a ✗ when it failed). On a terminal the running
/// line is rewritten in place; in a log each state is its own line.
public struct StepProgress: Sendable {
    let write: @Sendable (String) -> Void
    let isTerminal: Bool

    public init(write: @escaping @Sendable (String) -> Void = { FileHandle.standardOutput.write(Data($0.utf8)) },
                isTerminal: Bool = isatty(STDOUT_FILENO) == 1) {
        self.write = write
        self.isTerminal = isTerminal
    }

    public func line(_ text: String) { write(text + "\n") }

    /// Runs `body` as the step `title`; `detail` may refine the title once the step is done.
    @discardableResult
    public func step<T>(_ title: String, _ body: () async throws -> T) async throws -> T {
        let start = ContinuousClock.now
        write(isTerminal ? " • \(title) …" : " • \(title) …\n")
        do {
            let value = try await body()
            finish("✓", title, since: start)
            return value
        } catch {
            finish("✗", title, since: start)
            throw error
        }
    }

    func finish(_ mark: String, _ title: String, since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let text = " \(mark) \(title) (\(String(format: "%.1f", seconds))s)\n"
        write(isTerminal ? "\r\u{1B}[K" + text : text)
    }
}
