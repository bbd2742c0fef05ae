import APIModel
import ClusterClient
import Foundation

/// The files of configMap, secret, downwardAPI and projected volumes, computed from the
/// objects they reference. Missing objects or keys fail unless the source is `optional`.
struct VolumeContents {
    let client: ClusterClient
    let pod: JSONValue
    let node: NodeResources

    static let defaultMode: UInt32 = 0o644

    var namespace: String { pod.namespace ?? "default" }

    func configMap(_ source: JSONValue, volume: String, defaultMode inherited: UInt32? = nil) async throws -> [String: VolumeFile] {
        let name = source["name"]?.stringValue ?? ""
        let optional = source["optional"]?.boolValue ?? false
        guard let object = try await fetch(.configMaps, name: name, optional: optional, volume: volume, what: "ConfigMap") else { return [:] }
        var data: [String: [UInt8]] = [:]
        for (key, value) in object["data"]?.objectValue ?? JSONObject() { data[key] = Array((value.stringValue ?? "").utf8) }
        for (key, value) in object["binaryData"]?.objectValue ?? JSONObject() {
            data[key] = [UInt8](Data(base64Encoded: value.stringValue ?? "") ?? Data())
        }
        return try project(data, source: source, volume: volume, object: "ConfigMap \(namespace)/\(name)",
                           defaultMode: inherited ?? mode(source["defaultMode"]) ?? Self.defaultMode)
    }

    func secret(_ source: JSONValue, nameKey: String = "secretName", volume: String,
                defaultMode inherited: UInt32? = nil) async throws -> [String: VolumeFile] {
        let name = source[nameKey]?.stringValue ?? ""
        let optional = source["optional"]?.boolValue ?? false
        guard let object = try await fetch(.secrets, name: name, optional: optional, volume: volume, what: "Secret") else { return [:] }
        var data: [String: [UInt8]] = [:]
        for (key, value) in object["data"]?.objectValue ?? JSONObject() {
            guard let decoded = Data(base64Encoded: value.stringValue ?? "") else {
                throw VolumeError.invalid(volume: volume, reason: "key \(key) of Secret \(name) is not base64")
            }
            data[key] = [UInt8](decoded)
        }
        for (key, value) in object["stringData"]?.objectValue ?? JSONObject() { data[key] = Array((value.stringValue ?? "").utf8) }
        return try project(data, source: source, volume: volume, object: "Secret \(namespace)/\(name)",
                           defaultMode: inherited ?? mode(source["defaultMode"]) ?? Self.defaultMode)
    }

    func downwardAPI(_ source: JSONValue, volume: String, defaultMode inherited: UInt32? = nil) throws -> [String: VolumeFile] {
        let fallbackMode = inherited ?? mode(source["defaultMode"]) ?? Self.defaultMode
        var files: [String: VolumeFile] = [:]
        for item in source["items"]?.arrayValue ?? [] {
            guard let path = item["path"]?.stringValue else { continue }
            try validatePath(path, volume: volume)
            let text: String
            if let fieldRef = item["fieldRef"] {
                text = try DownwardAPIValues.field(fieldRef["fieldPath"]?.stringValue ?? "", of: pod, volume: volume)
            } else if let resourceRef = item["resourceFieldRef"] {
                text = try DownwardAPIValues.resource(resourceRef, of: pod, node: node, volume: volume)
            } else {
                throw VolumeError.invalid(volume: volume, reason: "downwardAPI item \(path) has neither fieldRef nor resourceFieldRef")
            }
            files[path] = VolumeFile(bytes: Array(text.utf8), mode: mode(item["mode"]) ?? fallbackMode)
        }
        return files
    }

    /// projected: the union of its sources; a later source's file replaces an earlier one.
    func projected(_ source: JSONValue, volume: String, serviceAccountToken: (JSONValue) async -> [String: VolumeFile])
        async throws -> [String: VolumeFile] {
        let defaultMode = mode(source["defaultMode"]) ?? Self.defaultMode
        var files: [String: VolumeFile] = [:]
        for projection in source["sources"]?.arrayValue ?? [] {
            if let configMap = projection["configMap"] {
                files.merge(try await self.configMap(configMap, volume: volume, defaultMode: mode(configMap["defaultMode"]) ?? defaultMode)) { _, new in new }
            } else if let secret = projection["secret"] {
                files.merge(try await self.secret(secret, nameKey: "name", volume: volume, defaultMode: defaultMode)) { _, new in new }
            } else if let downward = projection["downwardAPI"] {
                files.merge(try downwardAPI(downward, volume: volume, defaultMode: defaultMode)) { _, new in new }
            } else if let token = projection["serviceAccountToken"] {
                var withMode = await serviceAccountToken(token)
                for key in withMode.keys { withMode[key]?.mode = defaultMode }
                files.merge(withMode) { _, new in new }
            }
            // clusterTrustBundle and podCertificate sources are not served: skipped.
        }
        return files
    }

    // MARK: Helpers

    private func fetch(_ resource: ResourceRef, name: String, optional: Bool, volume: String, what: String) async throws -> JSONValue? {
        do {
            return try await client.get(resource, namespace: namespace, name: name)
        } catch let error as ClientError where error.isNotFound {
            if optional { return nil }
            throw VolumeError.missing(volume: volume, what: "\(what) \(namespace)/\(name)")
        }
    }

    /// `items` select and rename keys (each must exist unless the source is optional);
    /// without items every key becomes a file of its own name.
    private func project(_ data: [String: [UInt8]], source: JSONValue, volume: String, object: String,
                         defaultMode: UInt32) throws -> [String: VolumeFile] {
        var files: [String: VolumeFile] = [:]
        if let items = source["items"]?.arrayValue, !items.isEmpty {
            for item in items {
                let key = item["key"]?.stringValue ?? ""
                let path = item["path"]?.stringValue ?? key
                try validatePath(path, volume: volume)
                guard let bytes = data[key] else {
                    if source["optional"]?.boolValue ?? false { continue }
                    throw VolumeError.missing(volume: volume, what: "key \"\(key)\" of \(object)")
                }
                files[path] = VolumeFile(bytes: bytes, mode: mode(item["mode"]) ?? defaultMode)
            }
        } else {
            for (key, bytes) in data {
                try validatePath(key, volume: volume)
                files[key] = VolumeFile(bytes: bytes, mode: defaultMode)
            }
        }
        return files
    }

    private func validatePath(_ path: String, volume: String) throws {
        do { try AtomicVolumeWriter.validate(path) } catch {
            throw VolumeError.invalid(volume: volume, reason: "file path \"\(path)\" must be relative, without \"..\"")
        }
    }

    func mode(_ value: JSONValue?) -> UInt32? {
        guard let raw = value?.intValue, (0...0o777).contains(raw) else { return nil }
        return UInt32(raw)
    }
}

/// The node's capacity: the value of a resourceFieldRef whose container sets no limit.
struct NodeResources: Sendable {
    var cpuCores: Int
    var memoryBytes: Int64

    static var machine: NodeResources {
        NodeResources(cpuCores: ProcessInfo.processInfo.activeProcessorCount,
                      memoryBytes: Int64(ProcessInfo.processInfo.physicalMemory))
    }
}
