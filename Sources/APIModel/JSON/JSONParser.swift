import Foundation

/// A JSON syntax error, positioned so a user can find it in their manifest.
///
/// Messages follow Go's `encoding/json` wording (what kubectl users already know), with the
/// position appended: `invalid character 'x' looking for beginning of value at line 3, column 7`.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, without the position.
    public var message: String
    /// Byte offset of the offending byte (or of the end for truncated input).
    public var offset: Int
    /// 1-based line and column (column counted in bytes, as Go does).
    public var line: Int
    public var column: Int

    public var description: String { "\(message) at line \(line), column \(column) (offset \(offset))" }
}

/// What to do when an object repeats a key.
public enum DuplicateKeyPolicy: Sendable {
    /// Fail the parse with the path of the repeated key.
    case reject
    /// Keep the last value (Go's behaviour) and report the paths in `JSONParseResult.duplicates`
    /// so the caller can apply `fieldValidation=Strict|Warn|Ignore`.
    case record
}

public struct JSONParseOptions: Sendable {
    /// Maximum nesting of arrays and objects; deeper input is rejected rather than risking the stack.
    public var maxDepth: Int
    /// Maximum input size in bytes (the apiserver's request body limit is 3 MiB).
    public var maxBytes: Int
    public var duplicateKeys: DuplicateKeyPolicy

    public init(maxDepth: Int = 1000, maxBytes: Int = 3 * 1024 * 1024, duplicateKeys: DuplicateKeyPolicy = .record) {
        self.maxDepth = maxDepth
        self.maxBytes = maxBytes
        self.duplicateKeys = duplicateKeys
    }
}

public struct JSONParseResult: Sendable {
    public var value: JSONValue
    /// Field paths of repeated keys, in Kubernetes' notation (`metadata.name`, `spec.containers[0].name`).
    public var duplicates: [String]
}

extension JSONValue {
    /// Parses JSON text. Throws `JSONParseError`.
    public static func parse(_ bytes: some Collection<UInt8>, options: JSONParseOptions = JSONParseOptions()) throws -> JSONParseResult {
        if let result = try bytes.withContiguousStorageIfAvailable({ try parse(buffer: $0, options: options) }) {
            return result
        }
        let copy = Array(bytes)
        return try copy.withUnsafeBufferPointer { try parse(buffer: $0, options: options) }
    }

    public static func parse(_ data: Data, options: JSONParseOptions = JSONParseOptions()) throws -> JSONParseResult {
        try data.withUnsafeBytes { raw in
            try parse(buffer: raw.bindMemory(to: UInt8.self), options: options)
        }
    }

    public static func parse(_ text: String, options: JSONParseOptions = JSONParseOptions()) throws -> JSONParseResult {
        var text = text
        return try text.withUTF8 { try parse(buffer: $0, options: options) }
    }

    /// Parses and drops duplicate-key reports (last value wins).
    public init(json text: String) throws {
        self = try JSONValue.parse(text).value
    }

    static func parse(buffer: UnsafeBufferPointer<UInt8>, options: JSONParseOptions) throws -> JSONParseResult {
        var parser = JSONParser(input: buffer, options: options)
        if buffer.count > options.maxBytes {
            throw parser.error("JSON input of \(buffer.count) bytes exceeds the limit of \(options.maxBytes) bytes", at: 0)
        }
        let value = try parser.parseDocument()
        return JSONParseResult(value: value, duplicates: parser.duplicates)
    }
}

/// Recursive-descent parser over UTF-8 bytes. Strings without escapes are decoded straight from
/// the input buffer; only escaped strings go through a scratch buffer.
struct JSONParser {
    let input: UnsafeBufferPointer<UInt8>
    let options: JSONParseOptions
    var position = 0
    var depth = 0
    var duplicates: [String] = []
    /// Path of the value being parsed, kept so that a duplicate key can be named precisely.
    var path: [PathSegment] = []
    var scratch: [UInt8] = []

    enum PathSegment {
        case key(String)
        case index(Int)
    }

    init(input: UnsafeBufferPointer<UInt8>, options: JSONParseOptions) {
        self.input = input
        self.options = options
    }

    mutating func parseDocument() throws -> JSONValue {
        skipWhitespace()
        let value = try parseValue()
        skipWhitespace()
        if position < input.count {
            throw invalidCharacter("after top-level value")
        }
        return value
    }

    // MARK: values

    mutating func parseValue() throws -> JSONValue {
        guard position < input.count else { throw unexpectedEnd() }
        switch input[position] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw invalidCharacter("looking for beginning of value")
        }
    }

    mutating func enter() throws {
        depth += 1
        if depth > options.maxDepth {
            throw error("exceeded max depth of \(options.maxDepth)", at: position)
        }
    }

    mutating func parseObject() throws -> JSONValue {
        try enter()
        position += 1  // {
        var object = JSONObject()
        var seen: Set<String>? = nil
        skipWhitespace()
        if position < input.count, input[position] == UInt8(ascii: "}") {
            position += 1
            depth -= 1
            return .object(object)
        }
        while true {
            skipWhitespace()
            guard position < input.count else { throw unexpectedEnd() }
            guard input[position] == UInt8(ascii: "\"") else {
                throw invalidCharacter("looking for beginning of object key string")
            }
            let keyOffset = position
            let key = try parseString()
            skipWhitespace()
            guard position < input.count else { throw unexpectedEnd() }
            guard input[position] == UInt8(ascii: ":") else { throw invalidCharacter("after object key") }
            position += 1
            skipWhitespace()
            path.append(.key(key))
            let value = try parseValue()
            path.removeLast()

            // Duplicate detection: linear for small objects, a hash set once they grow.
            var existing: Int? = nil
            if object.count < 12 {
                existing = object.index(of: key)
            } else {
                if seen == nil { seen = Set(object.keys) }
                if seen?.contains(key) == true { existing = object.index(of: key) }
                seen?.insert(key)
            }
            if let existing {
                let name = Self.format(path + [.key(key)])
                if options.duplicateKeys == .reject {
                    throw error("duplicate field \"\(name)\"", at: keyOffset)
                }
                if !duplicates.contains(name) { duplicates.append(name) }
                object.replaceValue(at: existing, with: value)
            } else {
                object.appendUnchecked(key, value)
            }

            skipWhitespace()
            guard position < input.count else { throw unexpectedEnd() }
            switch input[position] {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "}"):
                position += 1
                depth -= 1
                return .object(object)
            default: throw invalidCharacter("after object key:value pair")
            }
        }
    }

    mutating func parseArray() throws -> JSONValue {
        try enter()
        position += 1  // [
        var items: [JSONValue] = []
        skipWhitespace()
        if position < input.count, input[position] == UInt8(ascii: "]") {
            position += 1
            depth -= 1
            return .array(items)
        }
        while true {
            skipWhitespace()
            path.append(.index(items.count))
            items.append(try parseValue())
            path.removeLast()
            skipWhitespace()
            guard position < input.count else { throw unexpectedEnd() }
            switch input[position] {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "]"):
                position += 1
                depth -= 1
                return .array(items)
            default: throw invalidCharacter("after array element")
            }
        }
    }

    mutating func expectLiteral(_ literal: StaticString) throws {
        let bytes = UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
        for b in bytes {
            guard position < input.count else { throw unexpectedEnd() }
            guard input[position] == b else {
                throw invalidCharacter("in literal \(literal) (expecting \(Self.quote(b)))")
            }
            position += 1
        }
    }

    mutating func parseNumber() throws -> JSONValue {
        let start = position
        var isInteger = true
        if input[position] == UInt8(ascii: "-") {
            position += 1
            guard position < input.count else { throw unexpectedEnd() }
        }
        guard isDigit(input[position]) else { throw invalidCharacter("in numeric literal") }
        if input[position] == UInt8(ascii: "0") {
            position += 1
        } else {
            while position < input.count, isDigit(input[position]) { position += 1 }
        }
        if position < input.count, input[position] == UInt8(ascii: ".") {
            isInteger = false
            position += 1
            guard position < input.count else { throw unexpectedEnd() }
            guard isDigit(input[position]) else { throw invalidCharacter("after decimal point in numeric literal") }
            while position < input.count, isDigit(input[position]) { position += 1 }
        }
        if position < input.count, input[position] == UInt8(ascii: "e") || input[position] == UInt8(ascii: "E") {
            isInteger = false
            position += 1
            guard position < input.count else { throw unexpectedEnd() }
            if input[position] == UInt8(ascii: "+") || input[position] == UInt8(ascii: "-") {
                position += 1
                guard position < input.count else { throw unexpectedEnd() }
            }
            guard isDigit(input[position]) else { throw invalidCharacter("in exponent of numeric literal") }
            while position < input.count, isDigit(input[position]) { position += 1 }
        }
        let literal = UnsafeBufferPointer(rebasing: input[start..<position])
        if isInteger, literal.count <= 20 {
            // Accumulate exactly; fall through to Double on overflow.
            var negative = false
            var value: Int64 = 0
            var overflow = false
            for b in literal {
                if b == UInt8(ascii: "-") { negative = true; continue }
                let digit = Int64(b &- UInt8(ascii: "0"))
                let (m, o1) = value.multipliedReportingOverflow(by: 10)
                let (s, o2) = negative ? m.subtractingReportingOverflow(digit) : m.addingReportingOverflow(digit)
                if o1 || o2 { overflow = true; break }
                value = s
            }
            if !overflow { return .int(value) }
        }
        let text = String(decoding: literal, as: UTF8.self)
        guard let double = Double(text), double.isFinite else {
            throw error("number \(text) is out of range", at: start)
        }
        return .double(double)
    }

    @inline(__always) func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

    mutating func parseString() throws -> String {
        position += 1  // opening quote
        let start = position
        // Fast path: no escapes.
        while position < input.count {
            let b = input[position]
            if b == UInt8(ascii: "\"") {
                let s = String(decoding: UnsafeBufferPointer(rebasing: input[start..<position]), as: UTF8.self)
                position += 1
                return s
            }
            if b == UInt8(ascii: "\\") { break }
            if b < 0x20 { throw invalidCharacter("in string literal") }
            position += 1
        }
        guard position < input.count else { throw unexpectedEnd() }
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: input[start..<position]))
        while position < input.count {
            let b = input[position]
            if b == UInt8(ascii: "\"") {
                position += 1
                return String(decoding: scratch, as: UTF8.self)
            }
            if b < 0x20 { throw invalidCharacter("in string literal") }
            if b != UInt8(ascii: "\\") {
                scratch.append(b)
                position += 1
                continue
            }
            position += 1
            guard position < input.count else { throw unexpectedEnd() }
            let e = input[position]
            position += 1
            switch e {
            case UInt8(ascii: "\""): scratch.append(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): scratch.append(UInt8(ascii: "\\"))
            case UInt8(ascii: "/"): scratch.append(UInt8(ascii: "/"))
            case UInt8(ascii: "b"): scratch.append(0x08)
            case UInt8(ascii: "f"): scratch.append(0x0C)
            case UInt8(ascii: "n"): scratch.append(0x0A)
            case UInt8(ascii: "r"): scratch.append(0x0D)
            case UInt8(ascii: "t"): scratch.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try parseHex4()
                if (0xD800...0xDBFF).contains(scalar) {
                    // A high surrogate must be followed by an escaped low surrogate; otherwise
                    // it becomes U+FFFD, as Go decodes it.
                    if position + 1 < input.count, input[position] == UInt8(ascii: "\\"), input[position + 1] == UInt8(ascii: "u") {
                        let save = position
                        position += 2
                        let low = try parseHex4()
                        if (0xDC00...0xDFFF).contains(low) {
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        } else {
                            scalar = 0xFFFD
                            position = save
                        }
                    } else {
                        scalar = 0xFFFD
                    }
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    scalar = 0xFFFD
                }
                appendUTF8(scalar)
            default:
                position -= 1
                throw invalidCharacter("in string escape code")
            }
        }
        throw unexpectedEnd()
    }

    mutating func parseHex4() throws -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard position < input.count else { throw unexpectedEnd() }
            let b = input[position]
            let digit: UInt8
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = b - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = b - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = b - UInt8(ascii: "A") + 10
            default: throw invalidCharacter("in \\u hexadecimal character escape")
            }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }

    mutating func appendUTF8(_ scalar: UInt32) {
        let s = Unicode.Scalar(scalar) ?? "\u{FFFD}"
        scratch.append(contentsOf: String(Character(s)).utf8)
    }

    @inline(__always) mutating func skipWhitespace() {
        while position < input.count {
            switch input[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    // MARK: errors

    static func quote(_ b: UInt8) -> String {
        switch b {
        case UInt8(ascii: "'"): return "'\\''"
        case UInt8(ascii: "\""): return "'\"'"
        case 0x20...0x7E: return "'\(Character(Unicode.Scalar(b)))'"
        default: return "'\\x" + String(b, radix: 16, uppercase: false).leftPadded(to: 2) + "'"
        }
    }

    func invalidCharacter(_ context: String) -> JSONParseError {
        error("invalid character \(Self.quote(input[position])) \(context)", at: position)
    }

    func unexpectedEnd() -> JSONParseError {
        error("unexpected end of JSON input", at: input.count)
    }

    func error(_ message: String, at offset: Int) -> JSONParseError {
        var line = 1
        var column = 1
        for b in UnsafeBufferPointer(rebasing: input[0..<min(offset, input.count)]) {
            if b == 0x0A {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return JSONParseError(message: message, offset: offset, line: line, column: column)
    }

    static func format(_ path: [PathSegment]) -> String {
        var out = ""
        for segment in path {
            switch segment {
            case .key(let k):
                if !out.isEmpty { out += "." }
                out += k
            case .index(let i): out += "[\(i)]"
            }
        }
        return out
    }
}

extension String {
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
