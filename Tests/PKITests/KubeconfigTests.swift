import Foundation
import PKI
import Testing

/// Kubeconfig files read back by real kubectl. HOME and KUBECONFIG always point into a
/// temporary directory: the real ~/.kube is never touched.
@Suite("Kubeconfig: generate, merge into and remove from a user's config", .enabled(if: toolExists("/usr/bin/kubectl"), "needs kubectl"))
struct KubeconfigTests {
    static let existingConfig = """
        apiVersion: v1
        kind: Config
        preferences:
          colors: true
        clusters:
        - name: kind-dev
          cluster:
            server: https://127.0.0.1:40000
            insecure-skip-tls-verify: true
        - name: skiff-demo
          cluster:
            server: https://stale.invalid:6443
        contexts:
        - name: kind-dev
          context:
            cluster: kind-dev
            user: kind-dev
            namespace: team-a
        users:
        - name: kind-dev
          user:
            exec:
              apiVersion: client.authentication.k8s.io/v1
              command: get-token
              args: ["--profile", "dev"]
              interactiveMode: Never
        current-context: kind-dev
        extensions:
        - name: custom-tool
          extension:
            keep: me

        """

    struct Fixture {
        let home: TemporaryDirectory
        let pki: ClusterPKI
        let entry: KubeconfigEntry
        var configPath: String { home.file(".kube/config") }
        var environment: [String: String] {
            ["HOME": home.path, "KUBECONFIG": configPath, "PATH": "/usr/bin:/bin"]
        }

        init() throws {
            home = try TemporaryDirectory()
            pki = try ClusterPKI.loadOrCreate(dataDirectory: home.file("data"), options: PKIOptions(nodeName: "node-1"))
            entry = try pki.adminKubeconfig(cluster: "demo")
        }

        func kubectl(_ arguments: [String]) throws -> ToolResult {
            let result = try runTool("/usr/bin/kubectl", arguments + ["--kubeconfig", configPath], environment: environment)
            #expect(result.status == 0, "kubectl \(arguments): \(result.stderr)")
            return result
        }

        func view() throws -> [String: Any] {
            let output = try kubectl(["config", "view", "--raw", "-o", "json"]).stdout
            return try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        }
    }

    static func names(_ config: [String: Any], _ list: String) -> [String] {
        ((config[list] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String }
    }

    static func named(_ config: [String: Any], _ list: String, _ name: String) -> [String: Any]? {
        ((config[list] as? [[String: Any]]) ?? []).first { $0["name"] as? String == name }
    }

    @Test("kubectl reads a generated kubeconfig; its data decode to our PEM files")
    func generated() throws {
        let fixture = try Fixture()
        try Kubeconfig.write(fixture.entry, to: fixture.configPath)
        #expect(try fileMode(fixture.configPath) == 0o600)
        let config = try fixture.view()
        #expect(config["current-context"] as? String == "skiff-demo")
        #expect(Self.names(config, "clusters") == ["skiff-demo"])
        #expect(Self.names(config, "contexts") == ["skiff-demo"])
        #expect(Self.names(config, "users") == ["skiff-demo"])
        let cluster = try #require(Self.named(config, "clusters", "skiff-demo")?["cluster"] as? [String: Any])
        #expect(cluster["server"] as? String == "https://127.0.0.1:6443")
        let caData = try #require(cluster["certificate-authority-data"] as? String)
        let caPEM = try String(contentsOfFile: fixture.home.file("data/pki/ca.crt"), encoding: .utf8)
        #expect(Data(base64Encoded: caData).map { String(decoding: $0, as: UTF8.self) } == caPEM)
        let user = try #require(Self.named(config, "users", "skiff-demo")?["user"] as? [String: Any])
        let keyPEM = try String(contentsOfFile: fixture.home.file("data/pki/admin.key"), encoding: .utf8)
        #expect((user["client-key-data"] as? String).flatMap { Data(base64Encoded: $0) }.map { String(decoding: $0, as: UTF8.self) } == keyPEM)
        #expect(user["client-certificate-data"] != nil)
        let contexts = try fixture.kubectl(["config", "get-contexts"]).stdout
        #expect(contexts.contains("*         skiff-demo   skiff-demo   skiff-demo"), "\(contexts)")
    }

    @Test("merging keeps the user's entries and unknown keys, replaces a stale skiff entry, removal restores the rest")
    func mergeAndRemove() throws {
        let fixture = try Fixture()
        try FileManager.default.createDirectory(atPath: fixture.home.file(".kube"), withIntermediateDirectories: true)
        try Self.existingConfig.write(toFile: fixture.configPath, atomically: true, encoding: .utf8)
        let before = try fixture.view()

        try Kubeconfig.merge(fixture.entry, into: fixture.configPath)
        #expect(try fileMode(fixture.configPath) == 0o600)
        let merged = try fixture.view()
        #expect(merged["current-context"] as? String == "skiff-demo")
        #expect(Set(Self.names(merged, "clusters")) == ["kind-dev", "skiff-demo"])
        #expect(Self.names(merged, "clusters").count == 2, "the stale skiff-demo cluster is replaced, not duplicated")
        #expect(Set(Self.names(merged, "contexts")) == ["kind-dev", "skiff-demo"])
        #expect(Set(Self.names(merged, "users")) == ["kind-dev", "skiff-demo"])
        let server = (Self.named(merged, "clusters", "skiff-demo")?["cluster"] as? [String: Any])?["server"] as? String
        #expect(server == "https://127.0.0.1:6443")
        for list in ["clusters", "contexts", "users"] {
            #expect(NSDictionary(dictionary: Self.named(merged, list, "kind-dev") ?? [:])
                .isEqual(to: Self.named(before, list, "kind-dev") ?? ["missing": true]), "kind-dev \(list) changed")
        }
        let text = try String(contentsOfFile: fixture.configPath, encoding: .utf8)
        #expect(text.contains("custom-tool") && text.contains("keep: me") && text.contains("colors: true"))
        let contexts = try fixture.kubectl(["config", "get-contexts"]).stdout
        #expect(contexts.contains("kind-dev") && contexts.contains("skiff-demo"))

        #expect(try Kubeconfig.remove(named: "skiff-demo", from: fixture.configPath))
        let removed = try fixture.view()
        #expect(Self.names(removed, "clusters") == ["kind-dev"])
        #expect(Self.names(removed, "contexts") == ["kind-dev"])
        #expect(Self.names(removed, "users") == ["kind-dev"])
        #expect(removed["current-context"] == nil || removed["current-context"] as? String == "")
        let after = try String(contentsOfFile: fixture.configPath, encoding: .utf8)
        #expect(after.contains("custom-tool") && after.contains("interactiveMode: Never"))
        #expect(try Kubeconfig.remove(named: "skiff-demo", from: fixture.configPath) == false)
        // kubectl can switch back to the user's own context.
        _ = try fixture.kubectl(["config", "use-context", "kind-dev"])
    }

    @Test("merging into a missing file creates it (and ~/.kube) with mode 0600")
    func mergeIntoMissing() throws {
        let fixture = try Fixture()
        try Kubeconfig.merge(fixture.entry, into: fixture.configPath)
        #expect(try fileMode(fixture.configPath) == 0o600)
        #expect(Self.names(try fixture.view(), "contexts") == ["skiff-demo"])
    }

    @Test("a kubeconfig that is not YAML, or not a mapping, is refused naming the file and left alone")
    func corruptKubeconfig() throws {
        let fixture = try Fixture()
        try FileManager.default.createDirectory(atPath: fixture.home.file(".kube"), withIntermediateDirectories: true)
        for broken in ["clusters: [unclosed\n", "- just\n- a list\n", "clusters: 5\n"] {
            try broken.write(toFile: fixture.configPath, atomically: true, encoding: .utf8)
            let error = try #require(throws: PKIError.self) { try Kubeconfig.merge(fixture.entry, into: fixture.configPath) }
            #expect(error.description.contains(fixture.configPath))
            #expect(try String(contentsOfFile: fixture.configPath, encoding: .utf8) == broken)
        }
    }

    @Test("the kubeconfig location follows KUBECONFIG, then HOME")
    func location() throws {
        let dir = try TemporaryDirectory()
        #expect(try KubeconfigLocation.resolve(environment: ["HOME": "/home/u"]) == "/home/u/.kube/config")
        #expect(try KubeconfigLocation.resolve(environment: ["HOME": "/home/u", "KUBECONFIG": "/x/one"]) == "/x/one")
        #expect(try KubeconfigLocation.resolve(environment: ["HOME": "/home/u", "KUBECONFIG": ""]) == "/home/u/.kube/config")
        let existing = dir.file("b")
        try "".write(toFile: existing, atomically: true, encoding: .utf8)
        #expect(try KubeconfigLocation.resolve(environment: ["KUBECONFIG": "\(dir.file("a")):\(existing):\(dir.file("c"))"]) == existing)
        #expect(try KubeconfigLocation.resolve(environment: ["KUBECONFIG": "\(dir.file("a")):\(dir.file("c"))"]) == dir.file("c"))
        #expect(throws: PKIError.self) { try KubeconfigLocation.resolve(environment: [:]) }
    }

    @Test("a token entry is read by kubectl as a bearer token")
    func tokenEntry() throws {
        let fixture = try Fixture()
        let entry = KubeconfigEntry(
            name: "skiff-tok", server: "https://127.0.0.1:6443",
            certificateAuthorityPEM: try fixture.pki.ca.identity.certificatePEM(), credentials: .token("0123abcd"))
        try Kubeconfig.write(entry, to: fixture.configPath)
        let user = Self.named(try fixture.view(), "users", "skiff-tok")?["user"] as? [String: Any]
        #expect(user?["token"] as? String == "0123abcd")
    }
}

@Suite("Kubeconfig file handling")
struct KubeconfigFileTests {
    @Test("a symlinked kubeconfig stays a symlink; a held kubectl lock is reported by name")
    func symlinkAndLock() throws {
        let home = try TemporaryDirectory()
        let ca = try CertificateAuthority.generate()
        let entry = KubeconfigEntry(
            name: "skiff-x", server: "https://127.0.0.1:6443",
            certificateAuthorityPEM: try ca.identity.certificatePEM(), credentials: .token("t"))
        let real = home.file("real-config"), link = home.file("config")
        try "apiVersion: v1\nkind: Config\n".write(toFile: real, atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: real)
        try Kubeconfig.merge(entry, into: link)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == real)
        #expect(try String(contentsOfFile: real, encoding: .utf8).contains("skiff-x"))
        #expect(!FileManager.default.fileExists(atPath: real + ".lock"))

        try "".write(toFile: real + ".lock", atomically: false, encoding: .utf8)
        let error = try #require(throws: PKIError.self) { try Kubeconfig.remove(named: "skiff-x", from: link) }
        #expect(error.description.contains(real + ".lock"))
        try FileManager.default.removeItem(atPath: real + ".lock")
        #expect(try Kubeconfig.remove(named: "skiff-x", from: link))
        #expect(try !String(contentsOfFile: real, encoding: .utf8).contains("skiff-x"))
    }
}
