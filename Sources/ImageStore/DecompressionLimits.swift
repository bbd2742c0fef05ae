/// Bounds on what decompressing one stream may produce: an absolute size and a ratio, so a
/// small hostile blob cannot fill the disk (a "decompression bomb").
public struct DecompressionLimits: Sendable, Equatable {
    /// Most bytes a stream may decompress to.
    public var maxBytes: Int64
    /// Most output bytes per input byte, checked once the output passes `ratioFloor`
    /// (small outputs of highly compressible data, e.g. empty files, are normal).
    public var maxRatio: Int64
    public var ratioFloor: Int64

    public init(maxBytes: Int64 = 32 << 30, maxRatio: Int64 = 1000, ratioFloor: Int64 = 64 << 20) {
        self.maxBytes = maxBytes
        self.maxRatio = maxRatio
        self.ratioFloor = ratioFloor
    }

    func check(input: Int64, output: Int64, what: String) throws {
        if output > maxBytes {
            throw ImageStoreError.limitExceeded("\(what) decompresses to more than \(maxBytes) bytes")
        }
        if output > ratioFloor && output > max(input, 1) * maxRatio {
            throw ImageStoreError.limitExceeded(
                "\(what) decompresses more than \(maxRatio)× (\(input) → \(output) bytes): refused as a decompression bomb")
        }
    }
}
