import APIModel
import Foundation

/// The `continue` token of a paged list: base64 of `{"v":"meta.k8s.io/v1","rv":N,"start":"…"}`.
///
/// `rv` pins every later page to the revision of the first, so a paged list sees one
/// consistent snapshot (each object exactly once); `start` is the first key of the next page,
/// relative to the listed prefix so a token cannot point outside the collection.
struct ContinueToken: Equatable {
    var revision: Int64
    var start: String

    func encoded() -> String {
        let json: JSONValue = ["v": "meta.k8s.io/v1", "rv": .int(revision), "start": .string(start)]
        return Data(json.encoded()).base64EncodedString()
    }

    init(revision: Int64, start: String) {
        self.revision = revision
        self.start = start
    }

    init(decoding token: String) throws {
        guard let data = Data(base64Encoded: token) ?? Data(base64Encoded: Self.padded(token)),
              let json = try? JSONValue.parse(data).value,
              json["v"]?.stringValue == "meta.k8s.io/v1",
              let revision = json["rv"]?.intValue, revision > 0,
              let start = json["start"]?.stringValue
        else {
            throw StorageError.badRequest("continue key is not valid: the token was not produced by this server's list")
        }
        self.revision = revision
        self.start = start
    }

    private static func padded(_ token: String) -> String {
        let remainder = token.utf8.count % 4
        return remainder == 0 ? token : token + String(repeating: "=", count: 4 - remainder)
    }
}
