import Crypto
import Foundation
import X509

/// The token an agent joins with, in k3s's "secure" format `K10<ca-hash>::<user>:<secret>`:
/// the SHA-256 of the cluster CA's PEM pins the CA, so an agent that fetches the CA over an
/// unauthenticated connection can check it before trusting it. A bare secret (no `K10` prefix)
/// is accepted too; it then authenticates the agent but pins nothing.
public struct JoinToken: Sendable, Hashable, CustomStringConvertible {
    /// Lower-case hex SHA-256 of the CA certificate's PEM text, nil for a bare secret.
    public var caHash: String?
    public var user: String
    public var secret: String

    public init(caHash: String?, user: String = "server", secret: String) {
        self.caHash = caHash
        self.user = user
        self.secret = secret
    }

    /// A pinned token for `secret` and the CA in `caPEM` (the exact bytes of `ca.crt`).
    public init(secret: String, caPEM: String, user: String = "server") {
        self.init(caHash: Self.hash(caPEM: caPEM), user: user, secret: secret)
    }

    /// Parses either form. - Throws: on a `K10` token whose hash or separators are malformed.
    public init(parsing text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.hasPrefix("K10") else {
            guard !trimmed.isEmpty else { throw PKIError.invalidInput("empty join token") }
            self.init(caHash: nil, secret: trimmed)
            return
        }
        let body = trimmed.dropFirst(3)
        guard let separator = body.range(of: "::") else {
            throw PKIError.invalidInput("join token starts with K10 but has no \"::\" after the CA hash")
        }
        let hash = String(body[..<separator.lowerBound]).lowercased()
        let credentials = body[separator.upperBound...]
        guard hash.count == 64, hash.allSatisfy(\.isHexDigit) else {
            throw PKIError.invalidInput("join token CA hash must be 64 hexadecimal characters")
        }
        guard let colon = credentials.firstIndex(of: ":"), colon != credentials.startIndex,
              credentials.index(after: colon) != credentials.endIndex
        else { throw PKIError.invalidInput("join token must end in <user>:<secret> after \"::\"") }
        self.init(caHash: hash, user: String(credentials[..<colon]), secret: String(credentials[credentials.index(after: colon)...]))
    }

    public var description: String {
        guard let caHash else { return secret }
        return "K10\(caHash)::\(user):\(secret)"
    }

    /// Whether `caPEM` is the CA this token pins (always true for an unpinned token).
    public func pins(caPEM: String) -> Bool {
        guard let caHash else { return true }
        return StaticTokenAuthenticator.constantTimeEqual(Array(caHash.utf8), Array(Self.hash(caPEM: caPEM).utf8))
    }

    static func hash(caPEM: String) -> String {
        SHA256.hash(data: Data(caPEM.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
