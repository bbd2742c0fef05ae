import Foundation
import Testing

/// `kubectl get`: server-side tables with the real columns, every output format, selectors,
/// all namespaces, sorting and watching.
@Suite(.serialized, .enabled(if: KubectlVersion.everythingPresent, KubectlVersion.skipReason))
struct KubectlGetTests {
    /// Header and rows of a printed table, split on runs of spaces.
    static func table(_ text: String) -> (header: String, rows: [[String]]) {
        let lines = text.split(separator: "\n").map(String.init)
        guard let header = lines.first else { return ("", []) }
        return (header, lines.dropFirst().map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) })
    }

    static func headerWords(_ header: String) -> [String] {
        header.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
    }

    static func seedConfigMaps(_ kubectl: Kubectl) async throws {
        try await kubectl.seed("/api/v1/namespaces/default/configmaps",
                               Manifests.configMap("alpha", labels: ["app": "web"], data: ["order": "3", "x": "1"]))
        try await kubectl.seed("/api/v1/namespaces/default/configmaps",
                               Manifests.configMap("beta", labels: ["app": "db"], data: ["order": "1"]))
        try await kubectl.seed("/api/v1/namespaces/default/configmaps",
                               Manifests.configMap("gamma", labels: ["app": "web"], data: ["order": "2"]))
        try await kubectl.seed("/api/v1/namespaces", Manifests.namespace("other"))
        try await kubectl.seed("/api/v1/namespaces/other/configmaps",
                               Manifests.configMap("delta", namespace: "other", labels: ["app": "web"], data: ["order": "0"]))
    }

    @Test("get prints the server's table with the real columns", arguments: KubectlVersion.all)
    func tables(_ version: KubectlVersion) async throws {
        try await withKubectl(version) { kubectl in
            try await Self.seedConfigMaps(kubectl)
            let list = try await kubectl.succeed(["get", "configmaps"])
            let (header, rows) = Self.table(list.stdout)
            #expect(Self.headerWords(header) == ["NAME", "DATA", "AGE"], "\(version): \(list)")
            #expect(rows.map { $0.first ?? "" } == ["alpha", "beta", "gamma"], "\(version): \(list)")
            #expect(rows.first.map { $0.count > 1 ? $0[1] : "" } == "2", "\(version): DATA of alpha: \(list)")

            let single = try await kubectl.succeed(["get", "cm", "beta"])
            #expect(Self.table(single.stdout).rows.map { $0.first ?? "" } == ["beta"], "\(version): \(single)")

            try await kubectl.seed("/apis/apps/v1/namespaces/default/deployments", Manifests.deployment("web"))
            let deployments = try await kubectl.succeed(["get", "deploy"])
            #expect(Self.headerWords(deployments.stdout.split(separator: "\n").first.map(String.init) ?? "")
                    == ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"], "\(version): \(deployments)")
            let wide = try await kubectl.succeed(["get", "deployments", "-o", "wide"])
            let wideHeader = Self.headerWords(Self.table(wide.stdout).header)
            #expect(wideHeader == ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE", "CONTAINERS", "IMAGES", "SELECTOR"],
                    "\(version): \(wide)")
            #expect(wide.stdout.contains("nginx:1.25") && wide.stdout.contains("app=web"), "\(version): \(wide)")

            try await kubectl.seed("/api/v1/namespaces/default/pods", Manifests.pod("p1"))
            let pods = try await kubectl.succeed(["get", "po"])
            #expect(Self.headerWords(Self.table(pods.stdout).header) == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"],
                    "\(version): \(pods)")
            #expect(Self.table(pods.stdout).rows.first?.prefix(4) == ["p1", "0/1", "Pending", "0"], "\(version): \(pods)")
            let widePods = try await kubectl.succeed(["get", "pods", "-o", "wide"])
            #expect(Self.table(widePods.stdout).header.contains("NODE") && Self.table(widePods.stdout).header.contains("IP"),
                    "\(version): \(widePods)")

            let all = try await kubectl.succeed(["get", "all"])
            #expect(all.stdout.contains("deployment.apps/web") && all.stdout.contains("pod/p1"), "\(version): \(all)")

            let labels = try await kubectl.succeed(["get", "cm", "--show-labels"])
            #expect(labels.stdout.contains("app=web") && labels.stdout.contains("app=db"), "\(version): \(labels)")

            try await kubectl.fail(["get", "cm", "nope"], mentioning: [#"configmaps "nope" not found"#])
        }
    }

    @Test("get -o yaml, json, name and wide", arguments: KubectlVersion.all)
    func outputFormats(_ version: KubectlVersion) async throws {
        try await withKubectl(version) { kubectl in
            try await Self.seedConfigMaps(kubectl)
            if let list = try await kubectl.json(["get", "configmaps"]) {
                #expect(list["kind"]?.string == "List", "\(version): \(list)")
                #expect(list["items"]?.array.compactMap { $0["metadata", "name"]?.string } == ["alpha", "beta", "gamma"])
                #expect(list["items", 0, "kind"]?.string == "ConfigMap", "\(version): items carry their kind")
                #expect(list["items", 0, "apiVersion"]?.string == "v1", "\(version): items carry their apiVersion")
            }
            if let alpha = try await kubectl.json(["get", "cm", "alpha"]) {
                #expect(alpha["data"]?.stringMap == ["order": "3", "x": "1"])
                #expect(alpha["metadata", "uid"]?.string?.isEmpty == false, "\(version): uid set: \(alpha)")
                #expect(alpha["metadata", "resourceVersion"]?.string?.isEmpty == false, "\(version): resourceVersion set")
                #expect(alpha["metadata", "creationTimestamp"]?.string?.hasSuffix("Z") == true, "\(version): creationTimestamp")
            }
            let yaml = try await kubectl.succeed(["get", "cm", "alpha", "-o", "yaml"])
            #expect(yaml.stdout.contains("kind: ConfigMap") && yaml.stdout.contains("name: alpha")
                    && yaml.stdout.contains("order: \"3\""), "\(version): \(yaml)")
            let yamlList = try await kubectl.succeed(["get", "cm", "-o", "yaml"])
            #expect(yamlList.stdout.contains("kind: List") && yamlList.stdout.contains("name: gamma"), "\(version): \(yamlList)")
            let names = try await kubectl.succeed(["get", "cm", "-o", "name"])
            #expect(names.stdout == "configmap/alpha\nconfigmap/beta\nconfigmap/gamma\n", "\(version): \(names)")
            let wide = try await kubectl.succeed(["get", "cm", "-o", "wide"])
            #expect(Self.headerWords(Self.table(wide.stdout).header) == ["NAME", "DATA", "AGE"], "\(version): \(wide)")
            let jsonpath = try await kubectl.succeed(["get", "cm", "-o", "jsonpath={.items[*].metadata.name}"])
            #expect(jsonpath.stdout == "alpha beta gamma", "\(version): \(jsonpath)")
            let columns = try await kubectl.succeed(["get", "cm", "-o", "custom-columns=N:.metadata.name,O:.data.order"])
            #expect(Self.table(columns.stdout).rows == [["alpha", "3"], ["beta", "1"], ["gamma", "2"]], "\(version): \(columns)")
        }
    }

    @Test("get -l, -A and --sort-by", arguments: KubectlVersion.all)
    func selectorsNamespacesAndSorting(_ version: KubectlVersion) async throws {
        try await withKubectl(version) { kubectl in
            try await Self.seedConfigMaps(kubectl)
            let web = try await kubectl.succeed(["get", "cm", "-l", "app=web", "-o", "name"])
            #expect(web.stdout == "configmap/alpha\nconfigmap/gamma\n", "\(version): \(web)")
            let notWeb = try await kubectl.succeed(["get", "cm", "-l", "app!=web", "-o", "name"])
            #expect(notWeb.stdout == "configmap/beta\n", "\(version): \(notWeb)")
            let setBased = try await kubectl.succeed(["get", "cm", "-l", "app in (db,cache)", "-o", "name"])
            #expect(setBased.stdout == "configmap/beta\n", "\(version): \(setBased)")
            let byField = try await kubectl.succeed(["get", "cm", "--field-selector", "metadata.name=gamma", "-o", "name"])
            #expect(byField.stdout == "configmap/gamma\n", "\(version): \(byField)")

            let all = try await kubectl.succeed(["get", "cm", "-A"])
            let (header, rows) = Self.table(all.stdout)
            #expect(Self.headerWords(header) == ["NAMESPACE", "NAME", "DATA", "AGE"], "\(version): \(all)")
            let pairs = rows.map { $0.prefix(2).joined(separator: "/") }
            #expect(pairs.contains("default/alpha") && pairs.contains("other/delta"), "\(version): \(all)")
            let allWeb = try await kubectl.succeed(["get", "cm", "--all-namespaces", "-l", "app=web", "-o", "name"])
            #expect(allWeb.stdout.split(separator: "\n").count == 3, "\(version): \(allWeb)")
            let other = try await kubectl.succeed(["get", "cm", "-n", "other", "-o", "name"])
            #expect(other.stdout == "configmap/delta\n", "\(version): \(other)")

            let sorted = try await kubectl.succeed(["get", "cm", "--sort-by=.data.order"])
            #expect(Self.table(sorted.stdout).rows.map { $0.first ?? "" } == ["beta", "gamma", "alpha"], "\(version): \(sorted)")
            let sortedAll = try await kubectl.succeed(["get", "cm", "-A", "--sort-by={.data.order}", "-o", "name"])
            #expect(sortedAll.stdout == "configmap/delta\nconfigmap/beta\nconfigmap/gamma\nconfigmap/alpha\n", "\(version): \(sortedAll)")
        }
    }

    @Test("get -w prints changes made while it watches", arguments: KubectlVersion.all)
    func watch(_ version: KubectlVersion) async throws {
        try await withKubectl(version) { kubectl in
            try await Self.seedConfigMaps(kubectl)
            let watcher = try kubectl.start(["get", "configmaps", "-w"])
            let listed = await watcher.waitForOutput { $0.contains("gamma") }
            if !listed {
                let result = await watcher.stop()
                Issue.record("\(version): the initial table never appeared: \(result)")
                return
            }
            try await kubectl.seed("/api/v1/namespaces/default/configmaps", Manifests.configMap("late", data: ["a": "1", "b": "2", "c": "3"]))
            let added = await watcher.waitForOutput { $0.contains("late") }
            try await kubectl.succeed(["label", "cm", "alpha", "changed=yes"])
            let modified = await watcher.waitForOutput { text in
                text.split(separator: "\n").filter { $0.hasPrefix("alpha ") }.count >= 2
            }
            let stillRunning = kill(watcher.pid, 0) == 0
            let result = await watcher.stop()
            #expect(added, "\(version): the created configmap was not printed: \(result)")
            #expect(modified, "\(version): the modified configmap was not printed again: \(result)")
            #expect(stillRunning, "\(version): get -w ended on its own (the watch stream closed): \(result)")
            let lateRow = Self.table(result.stdout).rows.first { $0.first == "late" }
            #expect(lateRow.map { $0.count > 1 ? $0[1] : "" } == "3", "\(version): the watch row has the table's columns: \(result)")

            let events = try kubectl.start(["get", "cm", "-w", "--output-watch-events", "--watch-only"])
            // The watch starts after kubectl's own list; change beta until an event shows the
            // watch is live, then delete it.
            for round in 1...20 {
                try await kubectl.succeed(["label", "cm", "beta", "round=\(round)", "--overwrite"])
                if await events.waitForOutput(timeout: .seconds(2), { $0.contains("MODIFIED") }) { break }
            }
            try await kubectl.succeed(["delete", "cm", "beta"])
            let deleted = await events.waitForOutput { $0.contains("DELETED") && $0.contains("beta") }
            let eventsResult = await events.stop()
            #expect(deleted, "\(version): the DELETED event was not printed: \(eventsResult)")
        }
    }
}
