import Foundation

/// Closed-loop load: `clients` tasks each issue one request after another for `seconds`,
/// one verb at a time (create, get, update, list), 100-byte ConfigMaps in a fresh namespace.
/// Each client works on its own objects, so updates never conflict.
struct VerbLoad {
    let client: BenchClient
    let clients: Int
    let seconds: Double

    static let payload = String(repeating: "x", count: 100)

    func run() async throws -> [Measurement] {
        let namespace = "bench-verbs-\(clients)-\(UUID().uuidString.prefix(6).lowercased())"
        try await client.ensureNamespace(namespace)
        var results: [Measurement] = []

        // create: each client remembers what it made, for the later phases.
        let created = try await phase("create") { worker, index in
            let name = "c\(worker)-\(index)"
            let reply = try await client.send(.POST, "/api/v1/namespaces/\(namespace)/configmaps",
                                              body: BenchClient.configMap(name, namespace: namespace, payload: Self.payload))
            return reply.ok ? (name, BenchClient.resourceVersion(in: reply.body)) : nil
        }
        results.append(created.measurement)
        let objects = created.objects

        results.append(try await phase("get") { worker, index in
            let mine = objects[worker]
            guard !mine.isEmpty else { return nil }
            let name = mine[index % mine.count].0
            let reply = try await client.send(.GET, "/api/v1/namespaces/\(namespace)/configmaps/\(name)")
            return reply.ok ? (name, nil) : nil
        }.measurement)

        // update: PUT with the resourceVersion of the last write to that object.
        let versions = VersionTable(objects)
        results.append(try await phase("update") { worker, index in
            guard let (name, version) = await versions.next(worker: worker, index: index) else { return nil }
            let reply = try await client.send(
                .PUT, "/api/v1/namespaces/\(namespace)/configmaps/\(name)",
                body: BenchClient.configMap(name, namespace: namespace, resourceVersion: version, payload: "u\(index)" + Self.payload))
            guard reply.ok, let newVersion = BenchClient.resourceVersion(in: reply.body) else { return nil }
            await versions.set(worker: worker, name: name, version: newVersion)
            return (name, newVersion)
        }.measurement)

        // list: a namespace of exactly 100 objects, so the figure does not depend on how many
        // creates the machine managed.
        let listNamespace = namespace + "-list"
        try await client.ensureNamespace(listNamespace)
        for index in 0..<100 {
            _ = try await client.send(.POST, "/api/v1/namespaces/\(listNamespace)/configmaps",
                                      body: BenchClient.configMap("l\(index)", namespace: listNamespace, payload: Self.payload))
        }
        var list = try await phase("list (100 objects)") { _, _ in
            let reply = try await client.send(.GET, "/api/v1/namespaces/\(listNamespace)/configmaps")
            return reply.ok ? ("", nil) : nil
        }.measurement
        list.name = "list100"
        results.append(list)
        return results
    }

    /// Runs `operation` in `clients` parallel loops for `seconds`; nil from it counts as an error.
    func phase(_ name: String, _ operation: @escaping @Sendable (Int, Int) async throws -> (String, String?)?)
        async throws -> (measurement: Measurement, objects: [[(String, String?)]])
    {
        let deadline = monotonicNanoseconds() + UInt64(seconds * 1e9)
        let started = monotonicNanoseconds()
        let perWorker = try await withThrowingTaskGroup(of: (Int, Measurement, [(String, String?)]).self) { group in
            for worker in 0..<clients {
                group.addTask {
                    var measurement = Measurement(name: name, clients: clients)
                    var objects: [(String, String?)] = []
                    var index = 0
                    while monotonicNanoseconds() < deadline {
                        let start = monotonicNanoseconds()
                        do {
                            if let object = try await operation(worker, index) {
                                measurement.samples.append(Double(monotonicNanoseconds() - start) / 1e6)
                                objects.append(object)
                            } else {
                                measurement.errors += 1
                            }
                        } catch {
                            measurement.errors += 1
                        }
                        index += 1
                    }
                    return (worker, measurement, objects)
                }
            }
            var all: [(Int, Measurement, [(String, String?)])] = []
            for try await result in group { all.append(result) }
            return all.sorted { $0.0 < $1.0 }
        }
        var total = Measurement(name: name, clients: clients)
        for (_, measurement, _) in perWorker { total.merge(measurement) }
        total.seconds = Double(monotonicNanoseconds() - started) / 1e9
        return (total, perWorker.map(\.2))
    }
}

/// The latest resourceVersion of each client's objects during the update phase.
actor VersionTable {
    var objects: [[(name: String, version: String)]]

    init(_ created: [[(String, String?)]]) {
        objects = created.map { list in list.compactMap { name, version in version.map { (name, $0) } } }
    }

    func next(worker: Int, index: Int) -> (String, String)? {
        guard objects.indices.contains(worker), !objects[worker].isEmpty else { return nil }
        let entry = objects[worker][index % objects[worker].count]
        return (entry.name, entry.version)
    }

    func set(worker: Int, name: String, version: String) {
        guard let position = objects[worker].firstIndex(where: { $0.name == name }) else { return }
        objects[worker][position].version = version
    }
}
