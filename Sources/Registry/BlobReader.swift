import Hummingbird
import NIOCore
import NIOFileSystem

/// Streams a byte range of a blob file into a response with NIO's file system API.
///
/// `readChunks` reads on NIO's blocking thread pool and reads ahead while earlier chunks are
/// being written to the socket, with back-pressure from the connection: memory stays at a few
/// chunks whatever the blob size, and no event loop ever waits on the disk.
enum BlobReader {
    static func stream(path: String, range: ClosedRange<Int64>, chunkLength: Int,
                       to writer: inout any ResponseBodyWriter) async throws {
        try await FileSystem.shared.withFileHandle(forReadingAt: FilePath(path)) { handle in
            for try await chunk in handle.readChunks(in: range, chunkLength: .bytes(Int64(chunkLength))) {
                try await writer.write(chunk)
            }
        }
    }
}
