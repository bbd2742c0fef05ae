import KVStore

extension HealthCheck {
    /// `etcd`: the store answers a linearizable read within two seconds.
    static func store(_ store: any KeyValueStore) -> HealthCheck {
        HealthCheck(name: "etcd") {
            await withTaskGroup(of: String?.self) { group in
                group.addTask {
                    do {
                        _ = try await store.currentRevision()
                        return nil
                    } catch {
                        return "\(error)"
                    }
                }
                group.addTask {
                    try? await Task.sleep(for: .seconds(2))
                    return "timed out"
                }
                let first = await group.next() ?? "no answer"
                group.cancelAll()
                return first
            }
        }
    }
}
