#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Crash-safe file replacement: write a temporary file beside the target with the final mode,
/// fsync it, rename it over the target, then fsync the directory. A crash at any point leaves
/// either the old or the new content, never a truncated key or kubeconfig, and a private key is
/// never readable by others even for an instant (the mode is set at creation, not afterwards).
enum AtomicFile {
    static func write(_ contents: String, to path: String, mode: mode_t) throws {
        try write(Array(contents.utf8), to: path, mode: mode)
    }

    static func write(_ bytes: [UInt8], to path: String, mode: mode_t) throws {
        let directory = (path as NSString).deletingLastPathComponent
        let base = (path as NSString).lastPathComponent
        let temporary = (directory.isEmpty ? "" : directory + "/") + ".\(base).tmp-\(getpid())-\(UInt32.random(in: 0 ... .max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw PKIError.io(path: temporary, operation: "create", errno: errno) }
        var renamed = false
        defer {
            if !renamed { unlink(temporary) }
        }
        do {
            defer { close(fd) }
            // open() applies the umask; set the exact mode we promise.
            guard fchmod(fd, mode) == 0 else { throw PKIError.io(path: temporary, operation: "chmod", errno: errno) }
            var offset = 0
            while offset < bytes.count {
                let written = bytes[offset...].withUnsafeBytes { buffer in
                    Glibc.write(fd, buffer.baseAddress, buffer.count)
                }
                if written < 0 {
                    if errno == EINTR { continue }
                    throw PKIError.io(path: temporary, operation: "write", errno: errno)
                }
                offset += written
            }
            guard fsync(fd) == 0 else { throw PKIError.io(path: temporary, operation: "fsync", errno: errno) }
        }
        guard rename(temporary, path) == 0 else { throw PKIError.io(path: path, operation: "rename into", errno: errno) }
        renamed = true
        let directoryFD = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryFD >= 0 {
            _ = fsync(directoryFD)
            close(directoryFD)
        }
    }

    /// Reads a whole file, or returns nil when it does not exist (any other failure is an error).
    static func readIfPresent(_ path: String) throws -> String? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PKIError.io(path: path, operation: "read", errno: errno)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw PKIError.corruptFile(path: path, reason: "not UTF-8 text")
        }
        return text
    }

    /// Creates a directory (and parents) readable only by its owner.
    static func makeDirectory(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(
                atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw PKIError.io(path: path, operation: "mkdir", errno: errno)
        }
    }
}
