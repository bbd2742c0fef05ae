import ContainerRuntime

#if canImport(Glibc)
import Glibc
#endif

/// The hot commands of `skiff runtime` (run, create, start, delete) parsed by hand, before
/// ArgumentParser is touched. A container's start-to-exit latency goes through here, and
/// ArgumentParser builds its command tree with reflection and dynamic casts, each of which
/// makes the Swift runtime scan every protocol conformance of this large binary: several
/// milliseconds per command, as much as the container itself costs.
///
/// Only the exact shapes below are handled; anything else (help, unknown or misplaced flags,
/// a missing id, the overlay flags) returns nil and goes to ArgumentParser, which owns every
/// message, help text and error. The flags mean what they mean there.
enum RuntimeFastPath {
    /// The process's exit code when the command was handled here, nil to fall back.
    static func exitCode(for arguments: [String]) -> Int32? {
        guard arguments.count >= 4, arguments[1] == "runtime" else { return nil }
        let command = arguments[2]
        let creates = command == "run" || command == "create"
        guard creates || command == "start" || command == "delete" else { return nil }

        var root = StateDirectory.defaultRoot
        var log: String?
        var options = CreateOptions()
        var bundle = "."
        var detach = false
        var force = false
        var id: String?
        var index = 3
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            guard argument.hasPrefix("-") else {
                guard id == nil, !argument.isEmpty else { return nil }
                id = argument
                continue
            }
            var name = argument
            var inline: String?
            if argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") {
                name = String(argument[..<equals])
                inline = String(argument[argument.index(after: equals)...])
            }
            /// The option's value: after `=`, or the next argument.
            func value() -> String? {
                if let inline { return inline }
                guard index < arguments.count else { return nil }
                index += 1
                return arguments[index - 1]
            }
            switch name {
            case "--root": guard let v = value() else { return nil }; root = v
            case "--log": guard let v = value() else { return nil }; log = v
            case "--log-format": guard value() != nil else { return nil }
            case "--bundle" where creates, "-b" where creates: guard let v = value() else { return nil }; bundle = v
            case "--console-socket" where creates: guard let v = value() else { return nil }; options.consoleSocket = v
            case "--pid-file" where creates: guard let v = value() else { return nil }; options.pidFile = v
            case "--container-log" where creates: guard let v = value() else { return nil }; options.containerLog = v
            case "--detach" where command == "run" && inline == nil, "-d" where command == "run": detach = true
            case "--force" where command == "delete" && inline == nil, "-f" where command == "delete": force = true
            default: return nil
            }
        }
        guard let id else { return nil }

        let runtime = Runtime(root: root)
        do {
            switch command {
            case "run" where detach:
                try runtime.create(id: id, bundle: bundle, options: options)
                try runtime.start(id: id)
            case "run":
                options.forwardSignals = true
                return try runtime.run(id: id, bundle: bundle, options: options).exitCode
            case "create": try runtime.create(id: id, bundle: bundle, options: options)
            case "start": try runtime.start(id: id)
            default: try runtime.delete(id: id, force: force)
            }
            return 0
        } catch {
            RuntimeErrorReport.write("\(error)", log: log)
            return 1
        }
    }
}
