import APIModel

/// `maxSurge`/`maxUnavailable`-style values: an integer or a percentage string of a total.
enum IntOrPercent {
    struct Invalid: Error, CustomStringConvertible {
        var value: String
        var description: String { "invalid int-or-percent value \(value)" }
    }

    /// The absolute value: percentages of `total` rounded up or down as asked.
    static func resolve(_ value: JSONValue?, total: Int, roundUp: Bool, default fallback: JSONValue) throws -> Int {
        let value = (value == nil || value == .null) ? fallback : value ?? fallback
        if let int = value.intValue { return Int(int) }
        guard let text = value.stringValue else { throw Invalid(value: value.description) }
        guard text.hasSuffix("%"), let percent = Int(text.dropLast()) else {
            if let int = Int(text) { return int }
            throw Invalid(value: text)
        }
        let product = percent * total
        return roundUp ? (product + 99) / 100 : product / 100
    }
}
