import APIModel
import Foundation
import PKI
import X509

/// Where the apiserver is and how to prove who we are: what a kubeconfig context says.
public struct ClusterConnection: Sendable {
    /// `https://127.0.0.1:6443`.
    public var server: String
    /// CAs trusted for the apiserver's serving certificate (the cluster CA).
    public var trustRoots: [Certificate]
    /// Client certificate and key (CN = user, O = groups), if any.
    public var identity: CertifiedKey?
    /// Bearer token, if any (used when there is no client certificate).
    public var bearerToken: String?
    /// Skip hostname verification (loopback addresses the serving certificate names anyway).
    public var verifyHostname: Bool

    public init(server: String, trustRoots: [Certificate], identity: CertifiedKey? = nil,
                bearerToken: String? = nil, verifyHostname: Bool = false) {
        self.server = server
        self.trustRoots = trustRoots
        self.identity = identity
        self.bearerToken = bearerToken
        self.verifyHostname = verifyHostname
    }

    /// Reads a kubeconfig file (embedded `*-data` or file paths; client certificate or token)
    /// and the named context, or its current context.
    public static func fromKubeconfig(path: String, context: String? = nil) throws -> ClusterConnection {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ClientError.configuration("cannot read kubeconfig \(path): \(error.localizedDescription)")
        }
        let document: JSONValue
        do {
            document = try JSONValue.parseYAML(text)
        } catch {
            throw ClientError.configuration("kubeconfig \(path) is not valid YAML: \(error)")
        }
        let base = URL(fileURLWithPath: path).deletingLastPathComponent().path
        return try KubeconfigReader(document: document, source: path, baseDirectory: base).connection(context: context)
    }
}

/// Resolves one context of a parsed kubeconfig into a `ClusterConnection`.
struct KubeconfigReader {
    let document: JSONValue
    let source: String
    /// Relative file paths in a kubeconfig are relative to the file itself, as kubectl reads them.
    let baseDirectory: String

    func connection(context requested: String?) throws -> ClusterConnection {
        guard let contextName = requested ?? document["current-context"]?.stringValue, !contextName.isEmpty else {
            throw ClientError.configuration("kubeconfig \(source) has no current-context and none was named")
        }
        let context = try entry("contexts", named: contextName, field: "context")
        guard let clusterName = context["cluster"]?.stringValue else {
            throw ClientError.configuration("context \(contextName) in \(source) names no cluster")
        }
        let cluster = try entry("clusters", named: clusterName, field: "cluster")
        guard let server = cluster["server"]?.stringValue, !server.isEmpty else {
            throw ClientError.configuration("cluster \(clusterName) in \(source) has no server")
        }
        var trustRoots: [Certificate] = []
        if let pem = try bytes(inline: cluster["certificate-authority-data"], file: cluster["certificate-authority"], what: "certificate authority of \(clusterName)") {
            trustRoots = try Self.certificates(pem: pem, what: "certificate authority of cluster \(clusterName)")
        }
        if server.hasPrefix("https://"), trustRoots.isEmpty {
            throw ClientError.configuration("cluster \(clusterName) in \(source) has no certificate-authority(-data): the apiserver's certificate cannot be verified")
        }
        var identity: CertifiedKey?
        var token: String?
        if let userName = context["user"]?.stringValue, !userName.isEmpty {
            let user = try entry("users", named: userName, field: "user")
            let certificatePEM = try bytes(inline: user["client-certificate-data"], file: user["client-certificate"], what: "client certificate of \(userName)")
            let keyPEM = try bytes(inline: user["client-key-data"], file: user["client-key"], what: "client key of \(userName)")
            switch (certificatePEM, keyPEM) {
            case (let certificatePEM?, let keyPEM?):
                identity = try Self.identity(certificatePEM: certificatePEM, keyPEM: keyPEM, user: userName)
            case (nil, nil):
                break
            default:
                throw ClientError.configuration("user \(userName) in \(source) has a client certificate without its key, or a key without its certificate")
            }
            if let inline = user["token"]?.stringValue, !inline.isEmpty {
                token = inline
            } else if let file = user["tokenFile"]?.stringValue, !file.isEmpty {
                guard let data = FileManager.default.contents(atPath: resolve(file)) else {
                    throw ClientError.configuration("cannot read tokenFile \(resolve(file)) of user \(userName)")
                }
                token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            }
        }
        return ClusterConnection(server: server, trustRoots: trustRoots, identity: identity, bearerToken: token)
    }

    /// The `field` member of the entry called `name` in the list `list`.
    private func entry(_ list: String, named name: String, field: String) throws -> JSONValue {
        guard let found = document[list]?.arrayValue?.first(where: { $0["name"]?.stringValue == name }) else {
            throw ClientError.configuration("kubeconfig \(source) has no \(list.dropLast()) named \(name)")
        }
        return found[field] ?? .emptyObject
    }

    /// Base64 `*-data` or the contents of a file path.
    private func bytes(inline: JSONValue?, file: JSONValue?, what: String) throws -> [UInt8]? {
        if let encoded = inline?.stringValue, !encoded.isEmpty {
            guard let data = Data(base64Encoded: encoded, options: .ignoreUnknownCharacters) else {
                throw ClientError.configuration("the \(what) in \(source) is not valid base64")
            }
            return Array(data)
        }
        if let path = file?.stringValue, !path.isEmpty {
            guard let data = FileManager.default.contents(atPath: resolve(path)) else {
                throw ClientError.configuration("cannot read \(resolve(path)) (the \(what) in \(source))")
            }
            return Array(data)
        }
        return nil
    }

    private func resolve(_ path: String) -> String {
        path.hasPrefix("/") ? path : baseDirectory + "/" + path
    }

    /// Every certificate of a PEM bundle.
    static func certificates(pem: [UInt8], what: String) throws -> [Certificate] {
        let text = String(decoding: pem, as: UTF8.self)
        let marker = "-----END CERTIFICATE-----"
        var certificates: [Certificate] = []
        for block in text.components(separatedBy: marker) {
            guard let begin = block.range(of: "-----BEGIN CERTIFICATE-----") else { continue }
            let pemBlock = String(block[begin.lowerBound...]) + marker
            do {
                certificates.append(try Certificate(pemEncoded: pemBlock))
            } catch {
                throw ClientError.configuration("the \(what) holds a certificate that cannot be parsed: \(error)")
            }
        }
        guard !certificates.isEmpty else { throw ClientError.configuration("the \(what) holds no PEM certificate") }
        return certificates
    }

    static func identity(certificatePEM: [UInt8], keyPEM: [UInt8], user: String) throws -> CertifiedKey {
        let certificate = try certificates(pem: certificatePEM, what: "client certificate of user \(user)")[0]
        do {
            let key = try Certificate.PrivateKey(pemEncoded: String(decoding: keyPEM, as: UTF8.self))
            return CertifiedKey(certificate: certificate, privateKey: key)
        } catch {
            throw ClientError.configuration("the client key of user \(user) cannot be parsed: \(error)")
        }
    }
}
