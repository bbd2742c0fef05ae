/// Splits a byte stream of concatenated JSON objects (a watch body: one event per line, but
/// chunk boundaries fall anywhere) into whole objects, scanning each byte once. It tracks
/// nesting and string state instead of relying on newlines, so pretty-printed or unseparated
/// events frame just as well.
struct JSONStreamFramer {
    private var buffer: [UInt8] = []
    /// Where the next unscanned byte is.
    private var scanned = 0
    /// Where the object being scanned starts, when one is open.
    private var start: Int?
    private var depth = 0
    private var inString = false
    private var escaped = false

    /// Bytes beyond this without a complete object are an error (a runaway stream).
    let maximumObjectBytes: Int

    init(maximumObjectBytes: Int = 64 * 1024 * 1024) {
        self.maximumObjectBytes = maximumObjectBytes
    }

    struct Overflow: Error {}

    /// Appends `bytes` and hands every object they complete to `body`, in order (the slice
    /// is only valid during the call).
    mutating func append(_ bytes: some Sequence<UInt8>, _ body: (ArraySlice<UInt8>) throws -> Void) throws {
        buffer.append(contentsOf: bytes)
        var index = scanned
        let count = buffer.count
        while index < count {
            let byte = buffer[index]
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
            } else {
                switch byte {
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    if depth == 0 { start = index }
                    depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0, let begin = start {
                        try body(buffer[begin...index])
                        start = nil
                    }
                case UInt8(ascii: "\""):
                    inString = true
                default:
                    break
                }
            }
            index += 1
        }
        scanned = index
        // Drop what is consumed: everything before the open object (or all of it).
        let keepFrom = start ?? scanned
        if keepFrom > 0 {
            buffer.removeFirst(keepFrom)
            scanned -= keepFrom
            if start != nil { start = 0 }
        }
        if buffer.count > maximumObjectBytes { throw Overflow() }
    }

    /// Whether bytes of an unfinished object are pending (a stream that ended mid-event).
    var hasPartialObject: Bool { start != nil }
}
