import CZlib

/// Streaming gzip decompression (zlib `inflate`), bounded by `DecompressionLimits`.
/// Concatenated gzip members are read as one stream, as `gzip -d` and Go's reader do.
final class GunzipSource: ByteSource {
    private let inner: ByteSource
    private let limits: DecompressionLimits
    private let what: String
    // zlib's state points back at the z_stream, so it must not move: heap-allocated.
    private let stream: UnsafeMutablePointer<z_stream>
    private var input: [UInt8] = []
    private var inputOffset = 0
    private var inputEOF = false
    private var memberEnded = false
    private var totalIn: Int64 = 0
    private var totalOut: Int64 = 0
    private var finished = false

    init(_ inner: ByteSource, limits: DecompressionLimits, what: String) throws {
        self.inner = inner
        self.limits = limits
        self.what = what
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let rc = czlib_inflate_init_gzip(stream)
        guard rc == Z_OK else {
            stream.deallocate()
            throw ImageStoreError.decompression("\(what): inflateInit failed (\(rc))")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    func next() throws -> [UInt8] {
        if finished { return [] }
        let outCap = 256 << 10
        var out = [UInt8](repeating: 0, count: outCap)
        while true {
            if inputOffset == input.count && !inputEOF {
                input = try inner.next()
                inputOffset = 0
                totalIn += Int64(input.count)
                if input.isEmpty { inputEOF = true }
            }
            if memberEnded {
                // Another member follows, or the stream is done.
                if inputOffset == input.count && inputEOF { finished = true; return [] }
                if inputOffset == input.count { continue }
                inflateReset(stream)
                memberEnded = false
            }
            if inputOffset == input.count && inputEOF {
                throw ImageStoreError.decompression("\(what): gzip stream is truncated")
            }
            let availIn = input.count - inputOffset
            var produced = 0
            let rc: Int32 = input.withUnsafeMutableBufferPointer { inb in
                out.withUnsafeMutableBufferPointer { outb in
                    stream.pointee.next_in = inb.baseAddress?.advanced(by: inputOffset)
                    stream.pointee.avail_in = uInt(availIn)
                    stream.pointee.next_out = outb.baseAddress
                    stream.pointee.avail_out = uInt(outCap)
                    let rc = inflate(stream, Z_NO_FLUSH)
                    produced = outCap - Int(stream.pointee.avail_out)
                    return rc
                }
            }
            inputOffset += availIn - Int(stream.pointee.avail_in)
            switch rc {
            case Z_OK, Z_BUF_ERROR: break
            case Z_STREAM_END: memberEnded = true
            default:
                let msg = stream.pointee.msg.map { String(cString: $0) } ?? "error \(rc)"
                throw ImageStoreError.decompression("\(what): \(msg)")
            }
            if produced > 0 {
                totalOut += Int64(produced)
                try limits.check(input: totalIn, output: totalOut, what: what)
                out.removeSubrange(produced...)
                return out
            }
        }
    }
}

/// Streaming gzip compression into `inner`. The header zlib writes carries mtime 0 and no
/// file name, so the same input always gives the same bytes (deterministic image builds).
final class GzipSink: ByteSink {
    private let inner: ByteSink
    private let stream: UnsafeMutablePointer<z_stream>

    init(_ inner: ByteSink, level: Int32 = 6) throws {
        self.inner = inner
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let rc = czlib_deflate_init_gzip(stream, level)
        guard rc == Z_OK else {
            stream.deallocate()
            throw ImageStoreError.decompression("deflateInit failed (\(rc))")
        }
    }

    deinit {
        deflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    private func run(_ bytes: [UInt8], flush: Int32) throws {
        var input = bytes
        let outCap = 256 << 10
        var out = [UInt8](repeating: 0, count: outCap)
        var done = false
        try input.withUnsafeMutableBufferPointer { inb in
            stream.pointee.next_in = inb.baseAddress
            stream.pointee.avail_in = uInt(inb.count)
            while !done {
                let (rc, produced): (Int32, Int) = out.withUnsafeMutableBufferPointer { outb in
                    stream.pointee.next_out = outb.baseAddress
                    stream.pointee.avail_out = uInt(outCap)
                    let rc = deflate(stream, flush)
                    return (rc, outCap - Int(stream.pointee.avail_out))
                }
                guard rc == Z_OK || rc == Z_STREAM_END || rc == Z_BUF_ERROR else {
                    throw ImageStoreError.decompression("deflate failed (\(rc))")
                }
                if produced > 0 { try inner.write(Array(out[0..<produced])) }
                if flush == Z_FINISH { done = rc == Z_STREAM_END } else { done = stream.pointee.avail_in == 0 && produced < outCap }
            }
        }
    }

    func write(_ bytes: [UInt8]) throws {
        if bytes.isEmpty { return }
        try run(bytes, flush: Z_NO_FLUSH)
    }

    func finish() throws {
        try run([], flush: Z_FINISH)
        try inner.finish()
    }
}
