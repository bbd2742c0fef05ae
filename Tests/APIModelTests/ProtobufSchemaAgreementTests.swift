import Foundation
import Testing

@testable import APIModel

/// What the decoder produces from real kubectl bodies must pass skiff's own strict field
/// validation (kubectl sends `fieldValidation=Strict`), or `kubectl create` would fail with a 400.
@Suite struct ProtobufSchemaAgreementTests {
    static let served = [
        "namespace", "namespace-labels", "deployment", "deployment-command", "deployment-132", "configmap",
        "configmap-files", "secret-generic", "secret-tls", "secret-docker", "service-clusterip", "service-headless",
        "service-nodeport", "service-loadbalancer", "service-externalname", "job", "cronjob", "serviceaccount",
        "priorityclass", "priorityclass-zero", "pdb-min", "pdb-max",
    ]

    @Test(arguments: served)
    func decodedBodyPassesStrictValidation(_ name: String) throws {
        let bytes = [UInt8](try ProtobufKubectlFixtureTests.load(name, "bin"))
        let decoded = try KubernetesProtobuf.decode(bytes)
        let kind = try #require(decoded["kind"]?.stringValue)
        let apiVersion = try #require(decoded["apiVersion"]?.stringValue)
        let resource = try #require(ResourceRegistry.resource(apiVersion: apiVersion, kind: kind))
        let body = try BodyDecoder.decode(decoded.encoded(), resource: resource, fieldValidation: .strict)
        #expect(body.object == decoded)
    }
}
