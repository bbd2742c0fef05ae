import Foundation
import Logging

/// The certificates of a node and of the apiserver's connection to it.
///
/// A node's agent needs two identities: a client certificate to talk to the apiserver as
/// `system:node:<name>` (group `system:nodes`, the names Kubernetes' Node authorizer keys on),
/// and a serving certificate for its streaming endpoint (logs, exec, attach, port-forward)
/// that the apiserver verifies against the cluster CA when it dials the node's InternalIP.
/// The apiserver in turn presents `kube-apiserver-kubelet-client` (group `system:masters`),
/// the identity kubeadm gives it, so the node can tell the apiserver from any other client.
/// All three come from the cluster CA and are kept and renewed like the other leaves.
extension ClusterPKI {
    /// CN of the certificate the apiserver presents to nodes, as kubeadm names it.
    public static let apiServerKubeletClientCommonName = "kube-apiserver-kubelet-client"
    public static let apiServerKubeletClientName = "apiserver-kubelet-client"
    /// Group of every node's client certificate.
    public static let nodesGroup = "system:nodes"

    /// The user a node's client certificate names: `system:node:<name>`.
    public static func nodeUser(_ nodeName: String) -> String { "system:node:\(nodeName)" }

    /// The names a node's serving certificate is valid for: the node name, its address,
    /// and loopback (the apiserver of a single-node cluster dials 127.0.0.1).
    public static func kubeletServingNames(nodeName: String, nodeAddresses: [String]) -> ServingNames {
        ServingNames(dnsNames: [nodeName, "localhost"], ipAddresses: nodeAddresses + ["127.0.0.1"])
    }

    /// The apiserver's client certificate for node connections (`pki/apiserver-kubelet-client.*`).
    public func ensureAPIServerKubeletClientCertificate(
        now: Date = Date(), logger: Logger = Logger(label: "skiff.pki")
    ) throws -> CertifiedKey {
        try ensureClientCertificate(
            Self.apiServerKubeletClientName, user: Self.apiServerKubeletClientCommonName,
            groups: ["system:masters"], now: now, logger: logger)
    }

    /// The node's client certificate (`pki/node-<name>.*`): CN `system:node:<name>`, O `system:nodes`.
    public func ensureNodeClientCertificate(
        nodeName: String, now: Date = Date(), logger: Logger = Logger(label: "skiff.pki")
    ) throws -> CertifiedKey {
        try Self.checkNodeName(nodeName)
        return try ensureClientCertificate(
            "node-\(nodeName)", user: Self.nodeUser(nodeName), groups: [Self.nodesGroup], now: now, logger: logger)
    }

    /// The node's serving certificate (`pki/kubelet-<name>.*`), reissued when its address changes.
    public func ensureKubeletServingCertificate(
        nodeName: String, nodeAddresses: [String], now: Date = Date(), logger: Logger = Logger(label: "skiff.pki")
    ) throws -> CertifiedKey {
        try Self.checkNodeName(nodeName)
        return try Self.ensureCertificate(
            "kubelet-\(nodeName)", in: directory, authority: ca, caName: Self.caName,
            commonName: nodeName, usage: .server,
            servingNames: Self.kubeletServingNames(nodeName: nodeName, nodeAddresses: nodeAddresses),
            options: options, now: now, logger: logger)
    }

    /// A node name becomes part of a file name: only what a Kubernetes object name may hold.
    static func checkNodeName(_ name: String) throws {
        let allowed = name.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-" || $0 == ".") }
        guard !name.isEmpty, name.count <= 253, allowed, name.first != ".", name.first != "-" else {
            throw PKIError.invalidInput(
                "node name \"\(name)\" is not a valid Kubernetes name (lowercase letters, digits, '-' and '.')")
        }
    }
}
