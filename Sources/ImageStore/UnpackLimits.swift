/// Bounds on what one layer may put on disk, so a hostile image cannot exhaust it.
public struct UnpackLimits: Sendable, Equatable {
    /// Largest single file.
    public var maxEntrySize: Int64
    /// Largest sum of file sizes in one layer.
    public var maxTotalSize: Int64
    /// Most entries in one layer.
    public var maxEntries: Int
    /// Bounds on decompressing the layer blob.
    public var decompression: DecompressionLimits

    public init(maxEntrySize: Int64 = 16 << 30, maxTotalSize: Int64 = 32 << 30, maxEntries: Int = 2_000_000,
                decompression: DecompressionLimits = DecompressionLimits()) {
        self.maxEntrySize = maxEntrySize
        self.maxTotalSize = maxTotalSize
        self.maxEntries = maxEntries
        self.decompression = decompression
    }
}
