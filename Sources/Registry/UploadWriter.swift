// Linux only (skiff targets Linux): Glibc for the POSIX calls.
import Glibc
import Hummingbird
import NIOCore

/// Streams a request body onto the end of an upload's data file, hashing as it goes.
///
/// Bytes are hashed as they arrive and written in batches of about a megabyte on the blocking
/// thread pool, so a blob of any size costs a megabyte of memory and no second pass. If the
/// body fails half-way (client gone, size mismatch), the file is cut back and the hash kept
/// from before the chunk, so the session stays exactly as it was.
enum UploadWriter {
    static let batchSize = 1 << 20

    /// Appends `body` to the session; returns the number of bytes appended.
    /// - Parameter expectedLength: the length the client announced, checked at the end.
    static func append(_ body: RequestBody, to session: inout UploadSession, dataPath: String,
                       expectedLength: Int64?) async throws -> Int64 {
        let startSize = session.size
        var hasher: BlobHasher
        if let existing = session.hasher {
            hasher = existing
        } else {
            hasher = try await DiskIO.run { try BlobHasher.resume(fromFile: dataPath, length: startSize) }
        }
        let fd: Int32 = try await DiskIO.run {
            let fd = open(dataPath, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw DiskIO.fail("open", dataPath) }
            return fd
        }
        var written: Int64 = 0
        do {
            var pending = ByteBufferAllocator().buffer(capacity: batchSize)
            var chunks = body.makeAsyncIterator()
            while let chunk = try await nextChunk(&chunks, received: written + Int64(pending.readableBytes)) {
                hasher.update(chunk)
                if pending.readableBytes == 0 && chunk.readableBytes >= batchSize {
                    try await write(chunk, fd: fd, at: startSize + written, path: dataPath)
                    written += Int64(chunk.readableBytes)
                    continue
                }
                var chunk = chunk
                pending.writeBuffer(&chunk)
                if pending.readableBytes >= batchSize {
                    try await write(pending, fd: fd, at: startSize + written, path: dataPath)
                    written += Int64(pending.readableBytes)
                    pending = ByteBufferAllocator().buffer(capacity: batchSize)
                }
            }
            if pending.readableBytes > 0 {
                try await write(pending, fd: fd, at: startSize + written, path: dataPath)
                written += Int64(pending.readableBytes)
            }
            if let expectedLength, expectedLength != written {
                throw RegistryError(.sizeInvalid, "body length does not match the announced length",
                                    detail: "announced \(expectedLength) bytes, received \(written)")
            }
        } catch {
            // Leave the session exactly as before this request.
            _ = try? await DiskIO.run { ftruncate(fd, off_t(startSize)); close(fd) }
            throw error
        }
        _ = try await DiskIO.run { close(fd) }
        session.size = startSize + written
        session.hasher = hasher
        return written
    }

    /// The next piece of the body; a connection that breaks off mid-body becomes a
    /// `BLOB_UPLOAD_INVALID` (the client is gone; this is for the log).
    private static func nextChunk(_ iterator: inout RequestBody.AsyncIterator, received: Int64) async throws -> ByteBuffer? {
        do {
            return try await iterator.next()
        } catch {
            throw RegistryError(.blobUploadInvalid, "request body ended early",
                                detail: "after \(received) bytes of this request: \(error)")
        }
    }

    private static func write(_ buffer: ByteBuffer, fd: Int32, at offset: Int64, path: String) async throws {
        try await DiskIO.run { try DiskIO.pwriteAll(fd: fd, buffer: buffer, offset: offset, path: path) }
    }
}
