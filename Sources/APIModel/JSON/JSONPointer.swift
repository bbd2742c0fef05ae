/// An RFC 6901 JSON Pointer (`/spec/containers/0/image`), used by JSON Patch.
public struct JSONPointer: Sendable, Equatable, CustomStringConvertible {
    /// Unescaped reference tokens; empty for the whole document.
    public var tokens: [String]

    public init(tokens: [String]) { self.tokens = tokens }

    /// Parses the string form; throws when it does not start with `/` or has a bad `~` escape.
    public init(_ text: String) throws {
        if text.isEmpty {
            tokens = []
            return
        }
        guard text.hasPrefix("/") else {
            throw JSONPointerError(pointer: text, message: "a JSON pointer must be empty or start with '/'")
        }
        tokens = try text.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map { raw in
            var out = ""
            var iterator = raw.makeIterator()
            while let c = iterator.next() {
                if c == "~" {
                    switch iterator.next() {
                    case "0": out.append("~")
                    case "1": out.append("/")
                    default: throw JSONPointerError(pointer: text, message: "'~' must be followed by '0' or '1'")
                    }
                } else {
                    out.append(c)
                }
            }
            return out
        }
    }

    public var description: String {
        tokens.map { "/" + $0.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1") }.joined()
    }

    /// The referenced value, or `nil` if any step is missing.
    public func resolve(in document: JSONValue) -> JSONValue? {
        var current = document
        for token in tokens {
            switch current {
            case .object(let o):
                guard let next = o[token] else { return nil }
                current = next
            case .array(let a):
                guard let i = Self.arrayIndex(token), i < a.count else { return nil }
                current = a[i]
            default:
                return nil
            }
        }
        return current
    }

    /// A strict array index: decimal digits, no leading zeros (RFC 6901 §4).
    static func arrayIndex(_ token: String) -> Int? {
        guard !token.isEmpty, token.allSatisfy(\.isASCII), token.allSatisfy(\.isNumber) else { return nil }
        if token.count > 1, token.hasPrefix("0") { return nil }
        return Int(token)
    }
}

extension String {
    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: Character(target), omittingEmptySubsequences: false).joined(separator: replacement)
    }
}

public struct JSONPointerError: Error, Sendable, CustomStringConvertible {
    public var pointer: String
    public var message: String
    public var description: String { "invalid JSON pointer \"\(pointer)\": \(message)" }
}
