import Foundation

/// Compact JSON output in the style of Go's `encoding/json` (no spaces, keys in stored order),
/// so the bytes skiff stores and returns look like the ones a real apiserver produces.
public struct JSONSerializationOptions: Sendable {
    /// Escape `<`, `>` and `&` as `\u003c`, `\u003e`, `\u0026` (Go's default `HTMLEscape`).
    public var escapeHTML: Bool
    /// Two-space indented output (`kubectl get -o json` style) instead of compact.
    public var pretty: Bool

    public init(escapeHTML: Bool = false, pretty: Bool = false) {
        self.escapeHTML = escapeHTML
        self.pretty = pretty
    }
}

extension JSONValue {
    /// The serialized bytes.
    public func encoded(options: JSONSerializationOptions = JSONSerializationOptions()) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        JSONWriter(options: options).write(self, into: &out, indent: 0)
        return out
    }

    public func encodedData(options: JSONSerializationOptions = JSONSerializationOptions()) -> Data {
        Data(encoded(options: options))
    }

    /// The serialized text.
    public func jsonString(options: JSONSerializationOptions = JSONSerializationOptions()) -> String {
        String(decoding: encoded(options: options), as: UTF8.self)
    }
}

extension JSONValue: CustomStringConvertible {
    public var description: String { jsonString() }
}

struct JSONWriter {
    let options: JSONSerializationOptions

    func write(_ value: JSONValue, into out: inout [UInt8], indent: Int) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .int(let i): out.append(contentsOf: String(i).utf8)
        case .double(let d): out.append(contentsOf: Self.formatDouble(d).utf8)
        case .string(let s): writeString(s, into: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                newline(&out, indent + 1)
                write(item, into: &out, indent: indent + 1)
            }
            if !items.isEmpty { newline(&out, indent) }
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            out.append(UInt8(ascii: "{"))
            var first = true
            for (key, member) in object {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                newline(&out, indent + 1)
                writeString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                if options.pretty { out.append(UInt8(ascii: " ")) }
                write(member, into: &out, indent: indent + 1)
            }
            if !object.isEmpty { newline(&out, indent) }
            out.append(UInt8(ascii: "}"))
        }
    }

    @inline(__always) func newline(_ out: inout [UInt8], _ indent: Int) {
        guard options.pretty else { return }
        out.append(0x0A)
        for _ in 0..<(indent * 2) { out.append(0x20) }
    }

    static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { bytes in
            var i = 0
            var runStart = 0
            func flush(_ out: inout [UInt8]) {
                if runStart < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<i])) }
            }
            while i < bytes.count {
                let b = bytes[i]
                var escape: [UInt8]? = nil
                var skip = 1
                switch b {
                case UInt8(ascii: "\""): escape = [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
                case UInt8(ascii: "\\"): escape = [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
                case 0x0A: escape = [UInt8(ascii: "\\"), UInt8(ascii: "n")]
                case 0x0D: escape = [UInt8(ascii: "\\"), UInt8(ascii: "r")]
                case 0x09: escape = [UInt8(ascii: "\\"), UInt8(ascii: "t")]
                case 0x00..<0x20: escape = unicodeEscape(UInt16(b))
                case UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "&"):
                    if options.escapeHTML { escape = unicodeEscape(UInt16(b)) }
                case 0xE2:
                    // U+2028 and U+2029 (E2 80 A8/A9) break JavaScript; Go always escapes them.
                    if i + 2 < bytes.count, bytes[i + 1] == 0x80, bytes[i + 2] == 0xA8 || bytes[i + 2] == 0xA9 {
                        escape = unicodeEscape(bytes[i + 2] == 0xA8 ? 0x2028 : 0x2029)
                        skip = 3
                    }
                default: break
                }
                if let escape {
                    flush(&out)
                    out.append(contentsOf: escape)
                    i += skip
                    runStart = i
                } else {
                    i += 1
                }
            }
            flush(&out)
        }
        out.append(UInt8(ascii: "\""))
    }

    func unicodeEscape(_ v: UInt16) -> [UInt8] {
        [UInt8(ascii: "\\"), UInt8(ascii: "u"),
         Self.hex[Int(v >> 12 & 0xF)], Self.hex[Int(v >> 8 & 0xF)], Self.hex[Int(v >> 4 & 0xF)], Self.hex[Int(v & 0xF)]]
    }

    /// Go's float64 formatting: shortest round-trip digits, plain decimal notation for
    /// 1e-6 ≤ |x| < 1e21, exponent notation (`1e+21`, `1.5e-7`) outside that range.
    static func formatDouble(_ d: Double) -> String {
        if d == 0 { return "0" }
        // Swift's description gives the shortest round-trip digits; re-layout them.
        let text = d.magnitude.description
        var mantissa = Substring(text)
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[text.startIndex..<e]
            exponent = Int(text[text.index(after: e)...].replacingOccurrences(of: "+", with: "")) ?? 0
        }
        var digits = ""
        var pointIndex = mantissa.count
        if let dot = mantissa.firstIndex(of: ".") {
            pointIndex = mantissa.distance(from: mantissa.startIndex, to: dot)
            digits = String(mantissa[mantissa.startIndex..<dot]) + String(mantissa[mantissa.index(after: dot)...])
        } else {
            digits = String(mantissa)
        }
        // Normalize: strip leading zeros (adjusting the point) and trailing zeros.
        var leading = 0
        for c in digits { if c == "0" { leading += 1 } else { break } }
        digits.removeFirst(leading)
        pointIndex -= leading
        while digits.hasSuffix("0") { digits.removeLast() }
        if digits.isEmpty { return "0" }
        // value = 0.digits × 10^(pointIndex + exponent)
        let decimalExponent = pointIndex + exponent
        let sign = d < 0 ? "-" : ""
        let magnitude = d.magnitude
        if magnitude < 1e-6 || magnitude >= 1e21 {
            let e = decimalExponent - 1
            var out = sign + String(digits.first ?? "0")
            if digits.count > 1 { out += "." + digits.dropFirst() }
            out += e < 0 ? "e-\(-e)" : "e+\(e)"
            return out
        }
        if decimalExponent <= 0 {
            return sign + "0." + String(repeating: "0", count: -decimalExponent) + digits
        }
        if decimalExponent >= digits.count {
            return sign + digits + String(repeating: "0", count: decimalExponent - digits.count)
        }
        let cut = digits.index(digits.startIndex, offsetBy: decimalExponent)
        return sign + digits[..<cut] + "." + digits[cut...]
    }
}
