import CZlib

/// The two zlib streams of a SPDY session: every header block one side sends is deflated in one
/// continuous stream primed with the SPDY dictionary and ends with a sync flush; the other side
/// inflates them in one stream, supplying the dictionary when zlib asks for it.
final class SPDYHeaderCompression {
    private var deflater = z_stream()
    private var inflater = z_stream()
    private var deflaterReady = false
    private var inflaterReady = false

    init() throws(SPDYProtocolError) {
        guard deflateInit_(&deflater, Z_DEFAULT_COMPRESSION, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw SPDYProtocolError(description: "deflateInit failed")
        }
        deflaterReady = true
        let dictionary = SPDYDictionary.bytes
        let rc = dictionary.withUnsafeBufferPointer { deflateSetDictionary(&deflater, $0.baseAddress, UInt32($0.count)) }
        guard rc == Z_OK else { throw SPDYProtocolError(description: "deflateSetDictionary failed (\(rc))") }
        guard inflateInit_(&inflater, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw SPDYProtocolError(description: "inflateInit failed")
        }
        inflaterReady = true
    }

    deinit {
        if deflaterReady { deflateEnd(&deflater) }
        if inflaterReady { inflateEnd(&inflater) }
    }

    func compress(_ input: [UInt8]) -> [UInt8] {
        var input = input
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        input.withUnsafeMutableBufferPointer { source in
            deflater.next_in = source.baseAddress
            deflater.avail_in = UInt32(source.count)
            repeat {
                chunk.withUnsafeMutableBufferPointer { buffer in
                    deflater.next_out = buffer.baseAddress
                    deflater.avail_out = UInt32(buffer.count)
                    _ = deflate(&deflater, Z_SYNC_FLUSH)
                    out += buffer[0..<(buffer.count - Int(deflater.avail_out))]
                }
            } while deflater.avail_out == 0
            deflater.next_in = nil
        }
        return out
    }

    func decompress(_ input: [UInt8]) throws(SPDYProtocolError) -> [UInt8] {
        guard !input.isEmpty else { return [] }
        var input = input
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        var failure: Int32?
        input.withUnsafeMutableBufferPointer { source in
            inflater.next_in = source.baseAddress
            inflater.avail_in = UInt32(source.count)
            while failure == nil {
                var progressed = false
                chunk.withUnsafeMutableBufferPointer { buffer in
                    inflater.next_out = buffer.baseAddress
                    inflater.avail_out = UInt32(buffer.count)
                    var rc = inflate(&inflater, Z_SYNC_FLUSH)
                    if rc == Z_NEED_DICT {
                        let dictionary = SPDYDictionary.bytes
                        rc = dictionary.withUnsafeBufferPointer { inflateSetDictionary(&inflater, $0.baseAddress, UInt32($0.count)) }
                        if rc == Z_OK { rc = inflate(&inflater, Z_SYNC_FLUSH) }
                    }
                    let produced = buffer.count - Int(inflater.avail_out)
                    out += buffer[0..<produced]
                    progressed = produced > 0
                    if rc != Z_OK && rc != Z_BUF_ERROR && rc != Z_STREAM_END { failure = rc }
                }
                // Room left in the output means zlib consumed all it could of the input.
                if inflater.avail_out != 0 || !progressed { break }
            }
            inflater.next_in = nil
        }
        if let failure { throw SPDYProtocolError(description: "header block does not inflate (zlib \(failure))") }
        return out
    }
}
