import Foundation
import X509

/// The files of the cluster PKI under `<data>/pki/`, PEM encoded: `<name>.crt` (0644) and
/// `<name>.key` (0600). Loading is strict: a file that exists but cannot be parsed, or a key that
/// does not belong to its certificate, is an error naming the file, never a reason to regenerate.
public struct PKIDirectory: Sendable, Hashable {
    public let path: String

    public init(dataDirectory: String) {
        self.path = (dataDirectory as NSString).appendingPathComponent("pki")
    }

    public func certificatePath(_ name: String) -> String { path + "/" + name + ".crt" }
    public func keyPath(_ name: String) -> String { path + "/" + name + ".key" }

    /// The pair stored as `name`, nil when neither file exists.
    /// - Throws: when exactly one exists, either is corrupt, or the key is not the certificate's.
    public func load(_ name: String) throws -> CertifiedKey? {
        let certificatePath = certificatePath(name), keyPath = keyPath(name)
        let certificateText = try AtomicFile.readIfPresent(certificatePath)
        let keyText = try AtomicFile.readIfPresent(keyPath)
        switch (certificateText, keyText) {
        case (nil, nil):
            return nil
        case (.some, nil):
            throw PKIError.incompletePair(present: certificatePath, missing: keyPath)
        case (nil, .some):
            throw PKIError.incompletePair(present: keyPath, missing: certificatePath)
        case (.some(let certificateText), .some(let keyText)):
            let certificate = try Self.parseCertificate(certificateText, path: certificatePath)
            let key: Certificate.PrivateKey
            do {
                key = try Certificate.PrivateKey(pemEncoded: keyText)
            } catch {
                throw PKIError.corruptFile(path: keyPath, reason: "not a PEM private key: \(error)")
            }
            guard key.publicKey == certificate.publicKey else {
                throw PKIError.keyDoesNotMatchCertificate(certificatePath: certificatePath, keyPath: keyPath)
            }
            return CertifiedKey(certificate: certificate, privateKey: key)
        }
    }

    /// Stores a pair atomically: the key (0600) first, then the certificate (0644).
    public func save(_ pair: CertifiedKey, as name: String) throws {
        try AtomicFile.makeDirectory(path)
        try AtomicFile.write(pair.privateKeyPEM(), to: keyPath(name), mode: 0o600)
        try AtomicFile.write(pair.certificatePEM(), to: certificatePath(name), mode: 0o644)
    }

    static func parseCertificate(_ text: String, path: String) throws -> Certificate {
        do {
            return try Certificate(pemEncoded: text)
        } catch {
            throw PKIError.corruptFile(path: path, reason: "not a PEM certificate: \(error)")
        }
    }
}
