import Foundation

/// Every way the PKI can refuse to go on. Each case names the file or input at fault, because the
/// operator's only sensible reaction to a broken CA is to look at that file: skiff never silently
/// regenerates key material that may have signed certificates still in use.
public enum PKIError: Error, Equatable, CustomStringConvertible, Sendable {
    /// A file exists but could not be parsed as what it should contain.
    case corruptFile(path: String, reason: String)
    /// A certificate and its private key on disk do not belong together.
    case keyDoesNotMatchCertificate(certificatePath: String, keyPath: String)
    /// One half of a certificate/key pair exists without the other.
    case incompletePair(present: String, missing: String)
    /// A leaf certificate on disk was not signed by the cluster CA on disk.
    case notSignedByCA(certificatePath: String, caPath: String)
    /// A certificate that must be a CA is not one.
    case notACertificateAuthority(path: String)
    /// A system call on a file failed.
    case io(path: String, operation: String, errno: Int32)
    /// A certificate signing request carried a signature that does not verify.
    case invalidCSRSignature(subject: String)
    /// A textual input (address, token line, kubeconfig) was malformed.
    case invalidInput(String)

    public var description: String {
        switch self {
        case .corruptFile(let path, let reason):
            return "\(path): corrupt or unreadable (\(reason)); move it aside only if nothing depends on it"
        case .keyDoesNotMatchCertificate(let certificatePath, let keyPath):
            return "\(keyPath) is not the private key of \(certificatePath)"
        case .incompletePair(let present, let missing):
            return "\(present) exists but \(missing) is missing; refusing to regenerate one half of a pair"
        case .notSignedByCA(let certificatePath, let caPath):
            return "\(certificatePath) was not signed by the CA in \(caPath)"
        case .notACertificateAuthority(let path):
            return "\(path) is not a CA certificate (basicConstraints CA:true and keyCertSign are required)"
        case .io(let path, let operation, let errno):
            return "\(operation) \(path): \(String(cString: strerror(errno))) (errno \(errno))"
        case .invalidCSRSignature(let subject):
            return "certificate signing request for \(subject) has an invalid signature"
        case .invalidInput(let message):
            return message
        }
    }
}
