import Foundation
import APIModel
import LinuxSystem

/// A network configuration list as the CNI specification (1.0.0) describes it, and the
/// runtime side of the protocol: each plugin of the list is executed in turn with the
/// `CNI_*` variables and its own configuration on stdin.
struct CNINetwork: Sendable {
    /// The `.conflist` document: `cniVersion`, `name`, `plugins`.
    var configList: JSONValue
    /// Directory of the plugin executables (`CNI_PATH`).
    var pluginDirectory: String

    var name: String { configList["name"]?.stringValue ?? "" }
    var cniVersion: String { configList["cniVersion"]?.stringValue ?? "1.0.0" }
    var plugins: [JSONValue] { configList["plugins"]?.arrayValue ?? [] }

    /// What identifies one attachment: the container ID (the pod UID), the namespace path and
    /// the interface name, plus the runtime's capability arguments (port mappings).
    struct Attachment: Sendable {
        var containerID: String
        var networkNamespace: String
        var interfaceName: String
        var capabilityArgs: JSONValue = .emptyObject
    }

    /// ADD: every plugin in order, each given the previous one's result; returns the last
    /// result.
    func add(_ attachment: Attachment) async throws -> JSONValue? {
        var previous: JSONValue?
        for plugin in plugins {
            let result = try await invoke("ADD", plugin: plugin, attachment: attachment, previousResult: previous)
            previous = result ?? previous
        }
        return previous
    }

    /// DEL: every plugin in reverse order with the result of ADD (when known). Keeps going
    /// after a failure so every plugin gets to release what it holds; throws the first error.
    func delete(_ attachment: Attachment, previousResult: JSONValue?) async throws {
        var firstError: (any Error)?
        for plugin in plugins.reversed() {
            do {
                _ = try await invoke("DEL", plugin: plugin, attachment: attachment, previousResult: previousResult)
            } catch {
                firstError = firstError ?? error
            }
        }
        if let firstError { throw firstError }
    }

    /// CHECK: every plugin in order with the result of ADD.
    func check(_ attachment: Attachment, previousResult: JSONValue?) async throws {
        for plugin in plugins {
            _ = try await invoke("CHECK", plugin: plugin, attachment: attachment, previousResult: previousResult)
        }
    }

    /// The configuration one plugin receives: its own object, with the list's name and
    /// version, `runtimeConfig` for the capabilities it declares, and `prevResult`.
    func pluginConfig(_ plugin: JSONValue, attachment: Attachment, previousResult: JSONValue?) -> JSONValue {
        var config = plugin
        config["cniVersion"] = .string(cniVersion)
        config["name"] = .string(name)
        if let capabilities = plugin["capabilities"]?.objectValue {
            var runtimeConfig = JSONValue.emptyObject
            for (capability, enabled) in capabilities where enabled.boolValue == true {
                if let value = attachment.capabilityArgs[capability] { runtimeConfig[capability] = value }
            }
            if runtimeConfig.objectValue?.isEmpty == false { config["runtimeConfig"] = runtimeConfig }
        }
        if let previousResult { config["prevResult"] = previousResult }
        return config
    }

    private func invoke(_ command: String, plugin: JSONValue, attachment: Attachment,
                        previousResult: JSONValue?) async throws -> JSONValue? {
        guard let type = plugin["type"]?.stringValue, !type.isEmpty, !type.contains("/") else {
            throw SandboxError.cni("a plugin of network \(name) has no valid type")
        }
        let executable = pluginDirectory + "/" + type
        guard Files.exists(executable) else {
            throw SandboxError.cni("CNI plugin \(type) not found in \(pluginDirectory) (install containernetworking-plugins)")
        }
        let config = pluginConfig(plugin, attachment: attachment, previousResult: previousResult)
        let environment = [
            "CNI_COMMAND": command,
            "CNI_CONTAINERID": attachment.containerID,
            "CNI_NETNS": attachment.networkNamespace,
            "CNI_IFNAME": attachment.interfaceName,
            "CNI_PATH": pluginDirectory,
        ]
        let output = try await CommandRunner.run(executable, environment: environment, input: config.encoded())
        guard output.status == 0 else {
            // Errors are a JSON object on stdout: code, msg, details.
            let error = try? JSONValue.parse(output.standardOutput).value
            let message = [error?["msg"]?.stringValue, error?["details"]?.stringValue]
                .compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": ")
            let fallback = (output.stderrText + output.stdoutText).trimmingCharacters(in: .whitespacesAndNewlines)
            throw SandboxError.cni("\(type) \(command) for \(attachment.containerID) failed: \(message.isEmpty ? fallback : message)")
        }
        guard command == "ADD" else { return nil }
        guard !output.standardOutput.isEmpty else { return nil }
        do {
            return try JSONValue.parse(output.standardOutput).value
        } catch {
            throw SandboxError.cni("\(type) ADD returned a result that is not JSON: \(error)")
        }
    }

    /// The IPv4 addresses (without prefix length) of a result's `ips`, then any others.
    static func addresses(in result: JSONValue?) -> [String] {
        let all = (result?["ips"]?.arrayValue ?? []).compactMap { ip -> String? in
            guard let address = ip["address"]?.stringValue else { return nil }
            return address.split(separator: "/").first.map(String.init)
        }
        return all.filter { !$0.contains(":") } + all.filter { $0.contains(":") }
    }
}
