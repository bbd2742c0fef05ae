import APIModel
import ClusterClient
import Foundation

/// Small builders and a polling helper shared by the client tests.
enum Fixtures {
    static func configMap(_ name: String, namespace: String = "default", data: [String: String] = [:],
                          labels: [String: String] = [:]) -> JSONValue {
        var metadata: JSONValue = ["name": .string(name), "namespace": .string(namespace)]
        if !labels.isEmpty { metadata["labels"] = .object(JSONObject(keys: Array(labels.keys), values: labels.values.map(JSONValue.string))) }
        return ["apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata,
                "data": .object(JSONObject(keys: Array(data.keys), values: data.values.map(JSONValue.string)))]
    }

    static func pod(_ name: String, namespace: String = "default") -> JSONValue {
        ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": .string(name), "namespace": .string(namespace)],
         "spec": ["containers": [["name": "c", "image": "busybox"]]]]
    }

    static func node(_ name: String) -> JSONValue {
        ["apiVersion": "v1", "kind": "Node", "metadata": ["name": .string(name)]]
    }

    /// A namespace unique to one test.
    static func uniqueName(_ prefix: String) -> String {
        "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
    }
}

/// Polls `condition` until it holds, for at most `seconds`.
func eventually(seconds: Double = 20, _ condition: @Sendable () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(25))
    }
    return try await condition()
}

/// Runs a process and returns its exit status and standard output.
func runProcess(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}
