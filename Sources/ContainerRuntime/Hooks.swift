import Foundation
import CLinuxSystem
import Logging
import OCI

/// OCI lifecycle hooks (runtime-spec config.md, "POSIX-platform Hooks", and runtime.md's
/// lifecycle). Each hook gets the container's state JSON on stdin, runs with exactly the
/// spec's args and env, and is killed when its timeout passes.
///
/// Where each point runs here:
/// - prestart, createRuntime: by the creating process, in the runtime's namespaces, once the
///   container's namespaces and cgroup exist and before its child mounts anything or pivots.
///   A failure fails the create; the half-made container is destroyed (poststop runs).
/// - createContainer: by the container child in the container's mount namespace with its
///   mounts in place, before pivot_root (the path still resolves in the runtime's root).
/// - startContainer: by the container child after `start`, in the container, before execve.
///   Either failing stops the container (create/run then fail with the hook's message).
/// - poststart: by `start`/`run` once the process was started; a failure is a warning.
/// - poststop: by `delete`/`run` once the container is deleted; a failure is a warning.
///
/// Like runc, the child-side hooks see the container's own pid as the child knows it (1 in a
/// new pid namespace); the runtime-side ones see the host pid.
enum Hooks {
    /// The runtime-side points, in the order they run.
    enum Point: String {
        case prestart, createRuntime, poststart, poststop
    }

    /// Checks what the kernel call cannot: a timeout, when given, is positive; a path is absolute.
    static func validate(_ hooks: RuntimeSpec.Hooks?) throws(RuntimeError) {
        guard let hooks else { return }
        let all: [(String, [RuntimeSpec.Hook]?)] = [
            ("prestart", hooks.prestart), ("createRuntime", hooks.createRuntime), ("createContainer", hooks.createContainer),
            ("startContainer", hooks.startContainer), ("poststart", hooks.poststart), ("poststop", hooks.poststop),
        ]
        for (point, list) in all {
            for (index, hook) in (list ?? []).enumerated() {
                guard hook.path.hasPrefix("/") else {
                    throw .invalidSpec("hooks.\(point)[\(index)].path \(hook.path) must be absolute")
                }
                if let timeout = hook.timeout, timeout <= 0 {
                    throw .invalidSpec("hooks.\(point)[\(index)].timeout must be greater than zero (got \(timeout))")
                }
            }
        }
    }

    /// The state document hooks read on stdin.
    static func stateJSON(_ state: ContainerState) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? [UInt8](encoder.encode(state))) ?? Array("{}".utf8)
    }

    /// The state JSON split around the pid, for the child to splice in its own.
    static func stateAroundPid(_ state: ContainerState) -> (before: String, after: String) {
        var state = state
        state.pid = Int32.min
        let json = String(decoding: stateJSON(state), as: UTF8.self)
        // Keys are escaped inside strings, so only the real field matches.
        let marker = "\"pid\":\(Int32.min)"
        guard let range = json.range(of: marker) else { return (json, "") }
        return (String(json[..<range.lowerBound]) + "\"pid\":", String(json[range.upperBound...]))
    }

    /// Runs `hooks` in order. Throws `.hookFailed` naming the first failing hook, its exit and
    /// its output (for the points whose failure is fatal).
    static func run(_ hooks: [RuntimeSpec.Hook]?, point: Point, state: ContainerState) throws(RuntimeError) {
        guard let hooks, !hooks.isEmpty else { return }
        let input = stateJSON(state)
        for (index, hook) in hooks.enumerated() {
            let arena = CArena()
            var chook = layout(hook, in: arena)
            var output = [CChar](repeating: 0, count: 4096)
            var status: Int32 = 0
            var err: Int32 = 0
            let rc = input.withUnsafeBufferPointer { bytes in
                output.withUnsafeMutableBufferPointer { out in
                    bytes.withMemoryRebound(to: CChar.self) { chars in
                        csys_run_hook(&chook, chars.baseAddress, chars.count, out.baseAddress, out.count, &status, &err)
                    }
                }
            }
            if rc == Int32(CSYS_HOOK_OK) { continue }
            let text = String(decoding: output.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let what = "\(point.rawValue) hook \(index) (\(hook.path))"
            let detail: String
            switch rc {
            case Int32(CSYS_HOOK_NOT_STARTED): detail = "could not start: \(String(cString: strerror(err)))"
            case Int32(CSYS_HOOK_TIMED_OUT): detail = "timed out after \(hook.timeout ?? 0) s and was killed"
            default:
                let signal = status & 0x7F
                detail = signal != 0 ? "killed by signal \(signal)" : "exited \((status >> 8) & 0xFF)"
            }
            throw .hookFailed(what + " " + detail + (text.isEmpty ? "" : "; output: " + text.trimmingCharacters(in: .whitespacesAndNewlines)))
        }
    }

    /// `run` for the points whose failure the spec makes a warning (poststart, poststop).
    static func runWarning(_ hooks: [RuntimeSpec.Hook]?, point: Point, state: ContainerState, logger: Logger) {
        do { try run(hooks, point: point, state: state) } catch {
            logger.warning("\(error)", metadata: ["container": "\(state.id)"])
        }
    }

    static func layout(_ hook: RuntimeSpec.Hook, in arena: CArena) -> csys_hook {
        csys_hook(path: arena.string(hook.path), argv: arena.strings(hook.args ?? [hook.path]),
                  envp: arena.strings(hook.env ?? []), timeout: Int32(clamping: hook.timeout ?? 0))
    }

    /// The child-side hooks of one point, with the state around the pid.
    static func layout(_ hooks: [RuntimeSpec.Hook]?, state: ContainerState, in arena: CArena) -> csys_hooks {
        guard let hooks, !hooks.isEmpty else {
            return csys_hooks(hooks: nil, count: 0, state_before_pid: nil, state_after_pid: nil)
        }
        let parts = stateAroundPid(state)
        return csys_hooks(hooks: arena.array(hooks.map { layout($0, in: arena) }), count: hooks.count,
                          state_before_pid: arena.string(parts.before), state_after_pid: arena.string(parts.after))
    }
}
