import Crypto
import Foundation

/// The cluster's join/admin bearer token, kept in `<data>/token` (0600): 32 random bytes as hex.
/// Created at first start and reused afterwards, so agents configured with it keep working.
public enum TokenFile {
    public static func path(dataDirectory: String) -> String {
        (dataDirectory as NSString).appendingPathComponent("token")
    }

    /// Returns the stored token, creating it when absent.
    /// - Throws: when the file exists but does not hold a 64-character hex token.
    public static func loadOrCreate(dataDirectory: String) throws -> String {
        let path = path(dataDirectory: dataDirectory)
        if let text = try AtomicFile.readIfPresent(path) {
            let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard token.count == 64, token.allSatisfy(\.isHexDigit) else {
                throw PKIError.corruptFile(path: path, reason: "expected 64 hexadecimal characters")
            }
            return token
        }
        try AtomicFile.makeDirectory(dataDirectory)
        let token = generate()
        try AtomicFile.write(token + "\n", to: path, mode: 0o600)
        return token
    }

    /// 32 bytes from the system's cryptographic generator, hex encoded.
    public static func generate() -> String {
        let key = SymmetricKey(size: .bits256)
        return key.withUnsafeBytes { bytes in bytes.map { String(format: "%02x", $0) }.joined() }
    }
}
