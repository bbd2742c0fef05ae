#if canImport(Glibc)
import Glibc
#endif
import Hummingbird
import NIOCore

/// Streams a byte range of a file into a response.
///
/// Reads happen on the blocking thread pool, one chunk ahead of the network: while chunk n
/// is being written to the socket, chunk n+1 is read from disk. Memory stays at two chunks
/// whatever the blob size.
enum BlobReader {
    static func stream(path: String, range: ClosedRange<Int64>, chunkLength: Int,
                       to writer: inout any ResponseBodyWriter) async throws {
        let fd: Int32 = try await DiskIO.run {
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw DiskIO.fail("open", path) }
            return fd
        }
        let end = range.upperBound + 1
        func read(at offset: Int64) -> Task<ByteBuffer, any Error> {
            let count = Int(min(Int64(chunkLength), end - offset))
            return Task { try await DiskIO.run { try readChunk(fd: fd, count: count, offset: offset, path: path) } }
        }
        var offset = range.lowerBound
        var pending: Task<ByteBuffer, any Error>? = read(at: offset)
        do {
            while let current = pending {
                let buffer = try await current.value
                pending = nil
                offset += Int64(buffer.readableBytes)
                if offset < end { pending = read(at: offset) }
                try await writer.write(buffer)
            }
        } catch {
            // The read ahead still uses the descriptor: let it end before closing.
            _ = try? await pending?.value
            _ = try? await DiskIO.run { close(fd) }
            throw error
        }
        _ = try? await DiskIO.run { close(fd) }
    }

    /// Reads exactly `count` bytes at `offset` (a blob never shrinks while served).
    static func readChunk(fd: Int32, count: Int, offset: Int64, path: String) throws -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: count)
        var done = 0
        while done < count {
            let n = try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count - done) { raw -> Int in
                while true {
                    let n = pread(fd, raw.baseAddress, count - done, off_t(offset) + off_t(done))
                    if n < 0, Glibc.errno == EINTR { continue }
                    if n < 0 { throw DiskIO.fail("pread", path) }
                    return n
                }
            }
            guard n > 0 else { throw StorageError(operation: "pread (file shorter than expected)", path: path, errno: EIO) }
            done += n
        }
        return buffer
    }
}
