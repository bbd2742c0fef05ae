import APIModel
import Foundation
import LinuxSystem

/// What the agent remembers of one sandbox on disk (`sandbox.json` in the sandbox's
/// directory), so a restarted agent finds it, and tear-down can run CNI DEL with exactly
/// the configuration and result of ADD.
struct SandboxRecord: Codable, Sendable {
    var sandbox: PodSandbox
    var namespace: String
    var name: String
    /// The pod network configuration ADD ran with, and its result (JSON text).
    var networkConfig: String?
    var networkResult: String?
    /// The portmap capability arguments (JSON text).
    var portMappings: String?

    static func load(_ path: String) -> SandboxRecord? {
        guard let bytes = try? Files.read(path) else { return nil }
        return try? JSONDecoder().decode(SandboxRecord.self, from: Data(bytes))
    }

    func save(_ path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try Files.writeAtomically(path, [UInt8](try encoder.encode(self)))
    }
}

/// Where a node's sandboxes live under the agent's data directory.
struct SandboxLayout: Sendable {
    var dataDirectory: String

    var sandboxesDirectory: String { dataDirectory + "/sandboxes" }
    var cniDirectory: String { dataDirectory + "/cni" }
    var ipamDirectory: String { cniDirectory + "/host-local" }

    func directory(_ podUID: String) -> String { sandboxesDirectory + "/" + podUID }
    func record(_ podUID: String) -> String { directory(podUID) + "/sandbox.json" }
    func namespaceFile(_ podUID: String, _ kind: NamespaceKind) -> String { directory(podUID) + "/" + kind.procName + ".ns" }
    func hostsFile(_ podUID: String) -> String { directory(podUID) + "/hosts" }
    func resolvConf(_ podUID: String) -> String { directory(podUID) + "/resolv.conf" }
    func hostnameFile(_ podUID: String) -> String { directory(podUID) + "/hostname" }
}
