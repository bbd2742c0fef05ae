import Foundation
import Testing

@testable import APIModel

/// Request bodies captured from real kubectl 1.33 (and 1.32) typed `create` commands, each next
/// to the JSON the same command prints with `--dry-run=client -o json`; plus the
/// SelfSubjectAccessReview of `auth can-i` and the DeleteOptions of `drain --disable-eviction`
/// (`--grace-period=7`), whose JSON was written from the Go types' tags. quota, role, clusterrolebinding and
/// ingress are kinds skiff does not serve yet; their bodies decode all the same.
@Suite struct ProtobufKubectlFixtureTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/Protobuf")

    static let fixtures = [
        "namespace", "namespace-labels", "deployment", "deployment-command", "deployment-132", "configmap",
        "configmap-files", "secret-generic", "secret-tls", "secret-docker", "service-clusterip", "service-headless",
        "service-nodeport", "service-loadbalancer", "service-externalname", "job", "cronjob", "serviceaccount",
        "priorityclass", "priorityclass-zero", "pdb-min", "pdb-max", "selfsubjectaccessreview", "drain-delete",
        "quota", "role", "clusterrolebinding", "ingress",
    ]

    static func load(_ name: String, _ ext: String) throws -> Data {
        try Data(contentsOf: directory.appendingPathComponent("\(name).\(ext)"))
    }

    @Test(arguments: fixtures)
    func kubectlBodyDecodesToTheJSONKubectlPrints(_ name: String) throws {
        let decoded = try KubernetesProtobuf.decode([UInt8](try Self.load(name, "bin")))
        // Go writes a zero metav1.Time as `null`; the decoder leaves such fields out.
        let expected = try JSONValue.parse(try Self.load(name, "json")).value.droppingNulls()
        #expect(decoded == expected, "\(name): \(decoded.jsonString())")
    }

    @Test func deploymentFieldsArriveTyped() throws {
        let decoded = try KubernetesProtobuf.decode([UInt8](try Self.load("deployment", "bin")))
        #expect(decoded["kind"] == "Deployment")
        #expect(decoded["apiVersion"] == "apps/v1")
        #expect(decoded.value(at: ["spec", "replicas"]) == .int(3))
        let container = decoded.value(at: ["spec", "template", "spec", "containers"])?[0]
        #expect(container?["image"] == "nginx:1.27")
        #expect(container?["ports"]?[0]?["containerPort"] == .int(8080))
        #expect(decoded.value(at: ["metadata", "creationTimestamp"]) == nil)
    }

    @Test func serviceTargetPortsAreIntOrString() throws {
        let lb = try KubernetesProtobuf.decode([UInt8](try Self.load("service-loadbalancer", "bin")))
        #expect(lb.value(at: ["spec", "ports"])?[0]?["targetPort"] == "http")
        let np = try KubernetesProtobuf.decode([UInt8](try Self.load("service-nodeport", "bin")))
        #expect(np.value(at: ["spec", "ports"])?[0]?["targetPort"] == .int(8080))
        #expect(np.value(at: ["spec", "ports"])?[0]?["nodePort"] == .int(30080))
    }

    @Test func secretAndBinaryDataAreBase64() throws {
        let secret = try KubernetesProtobuf.decode([UInt8](try Self.load("secret-generic", "bin")))
        #expect(secret.value(at: ["data", "user"]) == .string(Data("admin".utf8).base64EncodedString()))
        let files = try KubernetesProtobuf.decode([UInt8](try Self.load("configmap-files", "bin")))
        #expect(files.value(at: ["binaryData", "bin.dat"]) == .string(Data([0, 1, 0xff]).base64EncodedString()))
        #expect(files.value(at: ["data", "blob.txt"]) == "line1\nline2\n")
    }

    @Test func priorityClassKeepsAZeroValue() throws {
        let zero = try KubernetesProtobuf.decode([UInt8](try Self.load("priorityclass-zero", "bin")))
        #expect(zero["value"] == .int(0))
    }

    @Test func tokenRequestDecodes() throws {
        let token = try KubernetesProtobuf.decode([UInt8](try Self.load("token", "bin")))
        #expect(token["kind"] == "TokenRequest")
        #expect(token["apiVersion"] == "authentication.k8s.io/v1")
        #expect(token.value(at: ["spec", "audiences"]) == ["api"])
        #expect(token.value(at: ["spec", "expirationSeconds"]) == .int(3600))
    }
}

extension JSONValue {
    /// The value with every `null` object member removed, recursively.
    func droppingNulls() -> JSONValue {
        switch self {
        case .object(let object):
            var result = JSONObject()
            for (key, value) in object where !value.isNull { result[key] = value.droppingNulls() }
            return .object(result)
        case .array(let items):
            return .array(items.map { $0.droppingNulls() })
        default:
            return self
        }
    }
}
