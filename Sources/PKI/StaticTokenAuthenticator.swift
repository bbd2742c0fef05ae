import Crypto
import Foundation

/// Bearer tokens from a Kubernetes-style static token file (`--token-auth-file`): CSV lines
/// `token,user,uid,"group1,group2"`, at least three columns, groups optional. Tokens are
/// compared in constant time so that response timing does not reveal a token's prefix.
public struct StaticTokenAuthenticator: Sendable {
    private let entries: [(token: [UInt8], user: AuthenticatedUser)]

    public init(users: [String: AuthenticatedUser]) {
        entries = users.map { (Array($0.key.utf8), $0.value) }
    }

    /// Parses the CSV text of a token file; `source` names it in errors.
    public init(csv: String, source: String = "token file") throws {
        var users: [String: AuthenticatedUser] = [:]
        var lineNumber = 0
        for line in csv.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            lineNumber += 1
            if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            let fields = try Self.csvFields(String(line), source: source, line: lineNumber)
            guard fields.count >= 3 else {
                throw PKIError.invalidInput("\(source):\(lineNumber): expected token,user,uid[,\"groups\"], got \(fields.count) column(s)")
            }
            let token = fields[0], name = fields[1], uid = fields[2]
            guard !token.isEmpty else { throw PKIError.invalidInput("\(source):\(lineNumber): empty token") }
            guard !name.isEmpty else { throw PKIError.invalidInput("\(source):\(lineNumber): empty user name") }
            guard users[token] == nil else { throw PKIError.invalidInput("\(source):\(lineNumber): duplicate token") }
            let groups = fields.count > 3
                ? fields[3].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                : []
            users[token] = AuthenticatedUser(name: name, uid: uid.isEmpty ? nil : uid, groups: groups)
        }
        self.init(users: users)
    }

    /// Reads and parses a token file.
    public init(contentsOfFile path: String) throws {
        guard let text = try AtomicFile.readIfPresent(path) else {
            throw PKIError.io(path: path, operation: "open", errno: ENOENT)
        }
        try self.init(csv: text, source: path)
    }

    /// The user for an `Authorization: Bearer <token>` value, or nil when the token is unknown.
    public func authenticate(bearerToken: String) -> AuthenticatedUser? {
        let presented = Array(bearerToken.utf8)
        var match: AuthenticatedUser?
        for entry in entries where Self.constantTimeEqual(entry.token, presented) {
            match = entry.user
        }
        return match
    }

    /// The user for a whole `Authorization` header value (`Bearer <token>`, scheme case-insensitive).
    public func authenticate(authorizationHeader: String) -> AuthenticatedUser? {
        let parts = authorizationHeader.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return authenticate(bearerToken: parts[1].trimmingCharacters(in: .whitespaces))
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        // Hash both sides so the comparison time does not even depend on the lengths.
        let left = SHA256.hash(data: a), right = SHA256.hash(data: b)
        var difference: UInt8 = 0
        for (x, y) in zip(left, right) { difference |= x ^ y }
        return difference == 0
    }

    /// Splits one CSV record (RFC 4180 quoting: `"` opens a quoted field, `""` is a literal quote).
    static func csvFields(_ line: String, source: String, line lineNumber: Int) throws -> [String] {
        var fields: [String] = [], current = "", quoted = false, wasQuoted = false
        var characters = line.makeIterator()
        var pending: Character? = nil
        while let character = pending ?? characters.next() {
            pending = nil
            if quoted {
                if character == "\"" {
                    if let next = characters.next() {
                        if next == "\"" { current.append("\"") } else { quoted = false; pending = next }
                    } else {
                        quoted = false
                    }
                } else {
                    current.append(character)
                }
            } else if character == "," {
                fields.append(current); current = ""; wasQuoted = false
            } else if character == "\"" && current.isEmpty && !wasQuoted {
                quoted = true; wasQuoted = true
            } else if character == "\"" {
                throw PKIError.invalidInput("\(source):\(lineNumber): stray quote in field \(fields.count + 1)")
            } else {
                current.append(character)
            }
        }
        guard !quoted else { throw PKIError.invalidInput("\(source):\(lineNumber): unterminated quoted field") }
        fields.append(current)
        return fields
    }
}
