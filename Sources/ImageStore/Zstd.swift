import CZlib

/// Streaming zstd decompression (libzstd), bounded by `DecompressionLimits`.
final class ZstdSource: ByteSource {
    private let inner: ByteSource
    private let limits: DecompressionLimits
    private let what: String
    private let stream: OpaquePointer
    private var input: [UInt8] = []
    private var inputOffset = 0
    private var inputEOF = false
    private var frameDone = true
    private var totalIn: Int64 = 0
    private var totalOut: Int64 = 0

    init(_ inner: ByteSource, limits: DecompressionLimits, what: String) throws {
        self.inner = inner
        self.limits = limits
        self.what = what
        guard let s = ZSTD_createDStream() else { throw ImageStoreError.decompression("\(what): ZSTD_createDStream failed") }
        stream = s
        _ = ZSTD_initDStream(stream)
    }

    deinit { ZSTD_freeDStream(stream) }

    func next() throws -> [UInt8] {
        let outCap = ZSTD_DStreamOutSize()
        var out = [UInt8](repeating: 0, count: outCap)
        while true {
            if inputOffset == input.count && !inputEOF {
                input = try inner.next()
                inputOffset = 0
                totalIn += Int64(input.count)
                if input.isEmpty { inputEOF = true }
            }
            if inputOffset == input.count && inputEOF {
                if frameDone { return [] }
                throw ImageStoreError.decompression("\(what): zstd stream is truncated")
            }
            var produced = 0
            var consumed = 0
            let rc: Int = input.withUnsafeBytes { inb in
                out.withUnsafeMutableBytes { outb in
                    var ib = ZSTD_inBuffer(src: inb.baseAddress?.advanced(by: inputOffset), size: inb.count - inputOffset, pos: 0)
                    var ob = ZSTD_outBuffer(dst: outb.baseAddress, size: outCap, pos: 0)
                    let rc = ZSTD_decompressStream(stream, &ob, &ib)
                    produced = ob.pos
                    consumed = ib.pos
                    return rc
                }
            }
            inputOffset += consumed
            if ZSTD_isError(rc) != 0 {
                throw ImageStoreError.decompression("\(what): \(String(cString: ZSTD_getErrorName(rc)))")
            }
            frameDone = rc == 0
            if produced > 0 {
                totalOut += Int64(produced)
                try limits.check(input: totalIn, output: totalOut, what: what)
                out.removeSubrange(produced...)
                return out
            }
        }
    }
}

/// The decoding stage for a layer's compression.
func decompressing(_ source: ByteSource, _ compression: LayerCompressionKind, limits: DecompressionLimits,
                   what: String) throws -> ByteSource {
    switch compression {
    case .none: return source
    case .gzip: return try GunzipSource(source, limits: limits, what: what)
    case .zstd: return try ZstdSource(source, limits: limits, what: what)
    }
}

/// How a blob is compressed, judged from its first bytes when the media type does not say.
enum LayerCompressionKind: Sendable {
    case none, gzip, zstd

    static func sniff(_ head: [UInt8]) -> LayerCompressionKind {
        if head.count >= 2 && head[0] == 0x1f && head[1] == 0x8b { return .gzip }
        if head.count >= 4 && head[0] == 0x28 && head[1] == 0xb5 && head[2] == 0x2f && head[3] == 0xfd { return .zstd }
        return .none
    }
}
