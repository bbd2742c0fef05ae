#if canImport(Glibc)
import Glibc
#endif
import Foundation
@testable import ImageStore
import OCI

let isRoot = getuid() == 0

/// A fresh directory under $TMPDIR, removed by `cleanup()`.
final class TempDir {
    let path: String
    init(_ label: String = "imagestore") {
        let base = ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"
        var template = Array("\(base)/skiff-\(label)-XXXXXX".utf8CString)
        path = String(cString: template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }!)
    }
    func cleanup() { FS.removeTree(path) }
    func sub(_ name: String) -> String {
        let p = "\(path)/\(name)"
        try! FileManager.default.createDirectory(atPath: p, withIntermediateDirectories: true)
        return p
    }
}

/// Builds tar bytes from entries (regular entries carry `data`).
func makeTar(_ entries: [(TarEntry, [UInt8])]) throws -> [UInt8] {
    let sink = BytesSink()
    let w = TarWriter(sink)
    for (e, data) in entries {
        var e = e
        if e.kind == .regular { e.size = Int64(data.count) }
        try w.add(e, data: BytesSource(data))
    }
    try w.finish()
    return sink.bytes
}

func file(_ path: String, _ content: String = "x", mode: UInt32 = 0o644) -> (TarEntry, [UInt8]) {
    var e = TarEntry(path: path, kind: .regular)
    e.mode = mode
    return (e, Array(content.utf8))
}

func dir(_ path: String, mode: UInt32 = 0o755) -> (TarEntry, [UInt8]) {
    var e = TarEntry(path: path, kind: .directory)
    e.mode = mode
    return (e, [])
}

func symlink(_ path: String, to target: String) -> (TarEntry, [UInt8]) {
    var e = TarEntry(path: path, kind: .symlink)
    e.linkTarget = target
    e.mode = 0o777
    return (e, [])
}

func hardlink(_ path: String, to target: String) -> (TarEntry, [UInt8]) {
    var e = TarEntry(path: path, kind: .hardlink)
    e.linkTarget = target
    return (e, [])
}

func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
    let sink = BytesSink()
    let g = try GzipSink(sink)
    try g.write(bytes)
    try g.finish()
    return sink.bytes
}

/// Stores `layers` (uncompressed tars, gzipped here) as an image named `name`.
@discardableResult
func storeImage(_ store: ImageStore, name: String, layers: [[UInt8]], entrypoint: [String] = ["/bin/sh"]) throws -> Descriptor {
    var descs: [Descriptor] = []
    var diffIDs: [Digest] = []
    for l in layers {
        diffIDs.append(try Digest.sha256(of: l))
        let gz = try gzip(l)
        let d = try store.content.write(gz)
        descs.append(Descriptor(mediaType: MediaType.ociLayerGzip, digest: d, size: Int64(gz.count)))
    }
    let config = ImageConfig(architecture: Platform.host.architecture, os: "linux",
                             config: .init(Entrypoint: entrypoint), rootfs: .init(diffIDs: diffIDs))
    let cb = try canonicalJSON(config)
    let cd = try store.content.write(cb)
    let m = Manifest(config: Descriptor(mediaType: MediaType.ociConfig, digest: cd, size: Int64(cb.count)), layers: descs)
    let mb = try canonicalJSON(m)
    let md = try store.content.write(mb)
    let target = Descriptor(mediaType: MediaType.ociManifest, digest: md, size: Int64(mb.count))
    try store.tag(try store.reference(name), target: target)
    return target
}

/// Runs a program to completion; returns (status, stdout+stderr).
@discardableResult
func run(_ argv: [String], environment: [String: String]? = nil) throws -> (Int32, String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: argv[0].hasPrefix("/") ? argv[0] : "/usr/bin/env")
    p.arguments = argv[0].hasPrefix("/") ? Array(argv.dropFirst()) : argv
    if let environment { p.environment = environment }
    let pipe = Pipe()
    p.standardOutput = pipe
    p.standardError = pipe
    try p.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: data, as: UTF8.self))
}

func lstatMode(_ path: String) -> mode_t? {
    var st = stat()
    return lstat(path, &st) == 0 ? st.st_mode : nil
}

func which(_ tool: String) -> Bool {
    ["/usr/bin/\(tool)", "/usr/sbin/\(tool)", "/bin/\(tool)"].contains { FileManager.default.isExecutableFile(atPath: $0) }
}
