import Foundation
import PKI
import Testing
import X509

@Suite("Node certificates: the kubelet's serving and client identities, the apiserver's client for nodes")
struct NodeCertificateTests {
    let options = PKIOptions(nodeName: "node-1")

    @Test("the kubelet serving certificate names the node, its address and loopback, and serves only")
    func kubeletServing() throws {
        let data = try TemporaryDirectory()
        let pki = try ClusterPKI.loadOrCreate(dataDirectory: data.path, options: options)
        let serving = try pki.ensureKubeletServingCertificate(nodeName: "node-1", nodeAddresses: ["192.0.2.7"])
        #expect(pki.ca.hasSigned(serving.certificate))
        let names = try #require(try serving.certificate.extensions.subjectAlternativeNames)
        let dns = names.compactMap { if case .dnsName(let name) = $0 { name } else { nil } }
        let ips = names.compactMap { if case .ipAddress(let octets) = $0 { Array(octets.bytes) } else { nil } }
        #expect(Set(dns) == ["node-1", "localhost"])
        #expect(Set(ips) == [[192, 0, 2, 7], [127, 0, 0, 1]])
        #expect(try serving.certificate.extensions.extendedKeyUsage == ExtendedKeyUsage([.serverAuth]))
        #expect(FileManager.default.fileExists(atPath: data.file("pki/kubelet-node-1.crt")))

        // Loaded again unchanged; a new address re-issues it with the same key.
        let again = try pki.ensureKubeletServingCertificate(nodeName: "node-1", nodeAddresses: ["192.0.2.7"])
        #expect(again == serving)
        let moved = try pki.ensureKubeletServingCertificate(nodeName: "node-1", nodeAddresses: ["192.0.2.8"])
        #expect(moved.certificate != serving.certificate)
        #expect(moved.privateKey.publicKey == serving.privateKey.publicKey)
    }

    @Test("the node client certificate is system:node:<name> in system:nodes, client only")
    func nodeClient() throws {
        let data = try TemporaryDirectory()
        let pki = try ClusterPKI.loadOrCreate(dataDirectory: data.path, options: options)
        let client = try pki.ensureNodeClientCertificate(nodeName: "node-1")
        #expect(client.certificate.subject.commonNames == ["system:node:node-1"])
        #expect(client.certificate.subject.organizations == ["system:nodes"])
        #expect(try client.certificate.extensions.extendedKeyUsage == ExtendedKeyUsage([.clientAuth]))
        #expect(pki.ca.hasSigned(client.certificate))
        let reloaded = try ClusterPKI.loadOrCreate(dataDirectory: data.path, options: options)
        #expect(try reloaded.ensureNodeClientCertificate(nodeName: "node-1") == client)
    }

    @Test("the apiserver's client certificate for nodes is kube-apiserver-kubelet-client in system:masters")
    func apiServerKubeletClient() throws {
        let data = try TemporaryDirectory()
        let pki = try ClusterPKI.loadOrCreate(dataDirectory: data.path, options: options)
        let client = try pki.ensureAPIServerKubeletClientCertificate()
        #expect(client.certificate.subject.commonNames == ["kube-apiserver-kubelet-client"])
        #expect(client.certificate.subject.organizations == ["system:masters"])
        #expect(try client.certificate.extensions.extendedKeyUsage == ExtendedKeyUsage([.clientAuth]))
        #expect(try pki.ensureAPIServerKubeletClientCertificate() == client)
    }

    @Test("a node name that cannot be a Kubernetes name is refused and nothing is written")
    func badNodeName() throws {
        let data = try TemporaryDirectory()
        let pki = try ClusterPKI.loadOrCreate(dataDirectory: data.path, options: options)
        for bad in ["", "../etc", "Node_1", "-x"] {
            #expect(throws: PKIError.self) { try pki.ensureNodeClientCertificate(nodeName: bad) }
            #expect(throws: PKIError.self) { try pki.ensureKubeletServingCertificate(nodeName: bad, nodeAddresses: []) }
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: data.file("pki"))
        #expect(!files.contains { $0.hasPrefix("node-") || $0.hasPrefix("kubelet-") })
    }
}
