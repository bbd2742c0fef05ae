/// A segment file name: `<sequence>-<firstIndex>.wal`, both 16 lowercase hex digits, so
/// names sort in log order. `firstIndex` is the index the next entry had when the segment was
/// started: every entry in earlier segments that is still part of the log is below it.
struct SegmentName: Comparable {
    var sequence: UInt64
    var firstIndex: UInt64

    var fileName: String { hex16(sequence) + "-" + hex16(firstIndex) + ".wal" }

    init(sequence: UInt64, firstIndex: UInt64) {
        self.sequence = sequence
        self.firstIndex = firstIndex
    }

    /// Parses a file name; nil for anything that is not a segment (temp files, strays).
    init?(fileName: String) {
        guard fileName.hasSuffix(".wal") else { return nil }
        let stem = fileName.dropLast(4).split(separator: "-", omittingEmptySubsequences: false)
        guard stem.count == 2, stem[0].count == 16, stem[1].count == 16,
              let sequence = UInt64(stem[0], radix: 16), let firstIndex = UInt64(stem[1], radix: 16)
        else { return nil }
        self.init(sequence: sequence, firstIndex: firstIndex)
    }

    static func < (a: SegmentName, b: SegmentName) -> Bool { a.sequence < b.sequence }
}

func hex16(_ value: UInt64) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: 16 - digits.count) + digits
}
