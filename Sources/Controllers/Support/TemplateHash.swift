import APIModel

/// The `pod-template-hash` / `controller-revision-hash` of a pod template: FNV-1a (32 bit)
/// of the template's canonical JSON (keys sorted, so the apiserver's key order does not
/// matter), with the collision count mixed in when there is one, written as the decimal
/// number re-encoded in the consonant-and-digit alphabet Kubernetes uses for generated
/// names (no vowels, so no words, and no characters that look alike).
public enum TemplateHash {
    static let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")

    public static func hash(_ template: JSONValue, collisionCount: Int? = nil) -> String {
        var hasher = FNV1a32()
        hasher.add(canonicalJSON(template))
        if let collisionCount {
            hasher.add(String(collisionCount))
        }
        return safeEncode(String(hasher.value))
    }

    /// Each character becomes the alphabet's letter at its byte value modulo the alphabet's
    /// size (Kubernetes' `SafeEncodeString`).
    public static func safeEncode(_ text: String) -> String {
        String(text.utf8.map { alphabet[Int($0) % alphabet.count] })
    }

    /// JSON with object keys sorted at every level.
    static func canonicalJSON(_ value: JSONValue) -> String {
        switch value {
        case .object(let object):
            let members = object.keys.sorted().map { key in
                JSONValue.string(key).jsonString() + ":" + canonicalJSON(object[key] ?? .null)
            }
            return "{" + members.joined(separator: ",") + "}"
        case .array(let items):
            return "[" + items.map(canonicalJSON).joined(separator: ",") + "]"
        default:
            return value.jsonString()
        }
    }
}

struct FNV1a32 {
    private(set) var value: UInt32 = 2_166_136_261

    mutating func add(_ text: String) {
        for byte in text.utf8 {
            value ^= UInt32(byte)
            value = value &* 16_777_619
        }
    }
}
