/// Splits a CRI log (`<RFC3339Nano> stdout|stderr F|P <text>` per record) into whole lines:
/// partial records (P) are joined with the records that follow until a full one (F). Bytes of
/// an unfinished last record are kept until more arrive (the log is still being written).
struct CRILogParser {
    struct Line: Equatable {
        /// The time of the line's first record, as written in the log.
        var timestamp: String
        var stream: String
        /// The text, without the newline the F record stands for.
        var text: [UInt8]
    }

    private var carry: [UInt8] = []
    private var partial: Line?

    /// Feeds bytes; returns the lines they complete.
    mutating func feed(_ bytes: [UInt8]) -> [Line] {
        carry += bytes
        var lines: [Line] = []
        var start = 0
        while let newline = carry[start...].firstIndex(of: UInt8(ascii: "\n")) {
            if let line = record(carry[start..<newline]) { lines.append(line) }
            start = newline + 1
        }
        carry.removeFirst(start)
        return lines
    }

    /// Whatever partial line is pending (the log ended inside a line).
    mutating func flush() -> Line? {
        defer { partial = nil }
        return partial
    }

    private mutating func record(_ raw: ArraySlice<UInt8>) -> Line? {
        let fields = raw.split(separator: UInt8(ascii: " "), maxSplits: 3, omittingEmptySubsequences: false)
        guard fields.count >= 3 else { return nil }  // not a CRI record: skipped
        let timestamp = String(decoding: fields[0], as: UTF8.self)
        let stream = String(decoding: fields[1], as: UTF8.self)
        let isPartial = fields[2].first == UInt8(ascii: "P")
        let text = fields.count > 3 ? Array(fields[3]) : []
        if var pending = partial {
            pending.text += text
            partial = isPartial ? pending : nil
            return isPartial ? nil : pending
        }
        let line = Line(timestamp: timestamp, stream: stream, text: text)
        if isPartial {
            partial = line
            return nil
        }
        return line
    }
}
