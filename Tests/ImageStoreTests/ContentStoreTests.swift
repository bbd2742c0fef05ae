#if canImport(Glibc)
import Glibc
#endif
import CZlib
import Foundation
@testable import ImageStore
import OCI
import Testing

@Suite struct ContentStoreTests {
    @Test func writeReadVerify() throws {
        let tmp = TempDir("cs")
        defer { tmp.cleanup() }
        let cs = try ContentStore(root: tmp.path)
        let bytes = Array("hello blob".utf8)
        let d = try cs.write(bytes)
        #expect(d == (try Digest.sha256(of: bytes)))
        #expect(try cs.read(d) == bytes)
        try cs.verify(d)
        #expect(cs.list() == [d])
        // sha512 is accepted.
        let d512 = try DigestHasher.digest(of: bytes, .sha512)
        #expect(try cs.write(bytes, expected: d512) == d512)
        #expect(try cs.read(d512) == bytes)
    }

    @Test func wrongDigestStoresNothing() throws {
        let tmp = TempDir("cs")
        defer { tmp.cleanup() }
        let cs = try ContentStore(root: tmp.path)
        let claimed = try Digest.sha256(of: Array("something else".utf8))
        #expect(throws: ImageStoreError.self) { try cs.write(Array("actual".utf8), expected: claimed) }
        #expect(cs.list().isEmpty)
        #expect(FS.listDir("\(tmp.path)/blobs/sha256").isEmpty, "temp file removed")
    }

    @Test func bitFlipIsDetectedReportedAndRefetchable() throws {
        let tmp = TempDir("cs")
        defer { tmp.cleanup() }
        let store = try ImageStore(root: tmp.path)
        let layer = try makeTar([file("f", String(repeating: "abc", count: 1000))])
        try storeImage(store, name: "img:latest", layers: [layer])
        let image = try store.image("img:latest")
        let blob = image.manifest.layers[0].digest
        let original = try FS.readFile(store.content.path(for: blob))

        // Flip one bit in the middle of the stored layer.
        var bytes = original
        bytes[bytes.count / 2] ^= 0x10
        try FS.atomicWrite(bytes, to: store.content.path(for: blob))

        do {
            try store.content.verify(blob)
            Issue.record("corrupt blob verified")
        } catch let ImageStoreError.corruptBlob(d, _) {
            #expect(d == blob)
        }
        #expect(!store.content.contains(blob), "the corrupt copy is removed, never used")

        // Corrupt again and unpack: the error says the blob is corrupt, no snapshot appears.
        try FS.atomicWrite(bytes, to: store.content.path(for: blob))
        do {
            _ = try store.unpack(image)
            Issue.record("corrupt layer unpacked")
        } catch let ImageStoreError.corruptBlob(d, _) {
            #expect(d == blob)
        }
        #expect(store.snapshots.list().isEmpty)

        // Fetching it again (here: re-ingesting the good bytes) repairs the image.
        try store.content.write(original, expected: blob)
        let paths = try store.unpack(image)
        #expect(FS.exists("\(paths[0])/f"))

        // A corrupt manifest is reported on read too.
        let m = image.manifestDescriptor.digest
        var mb = try FS.readFile(store.content.path(for: m))
        mb[0] ^= 1
        try FS.atomicWrite(mb, to: store.content.path(for: m))
        #expect(throws: ImageStoreError.self) { _ = try store.image("img:latest") }
    }
}

@Suite struct CompressionTests {
    @Test func gzipRoundTripAndMultiMember() throws {
        let data = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ ($0 >> 7)) }
        let gz = try gzip(data)
        #expect(gz[0] == 0x1f && gz[1] == 0x8b)
        #expect(gz[4] == 0 && gz[5] == 0 && gz[6] == 0 && gz[7] == 0, "mtime 0 in the header")
        let two = gz + (try gzip(Array("tail".utf8)))
        let out = try drain(GunzipSource(BytesSource(two), limits: DecompressionLimits(), what: "t"))
        #expect(out == data + Array("tail".utf8))
    }

    @Test func truncatedGzipIsAnError() throws {
        let gz = try gzip(Array(repeating: 7, count: 10000))
        #expect(throws: ImageStoreError.self) {
            _ = try drain(GunzipSource(BytesSource(Array(gz.dropLast(10))), limits: DecompressionLimits(), what: "t"))
        }
    }

    @Test func systemGzipIsRead() throws {
        let tmp = TempDir("gz")
        defer { tmp.cleanup() }
        let data = Array(String(repeating: "skiff ", count: 5000).utf8)
        FileManager.default.createFile(atPath: "\(tmp.path)/f", contents: Data(data))
        try run(["gzip", "-9", "\(tmp.path)/f"])
        let gz = try FS.readFile("\(tmp.path)/f.gz")
        #expect(try drain(GunzipSource(BytesSource(gz), limits: DecompressionLimits(), what: "t")) == data)
    }

    func drain(_ s: ByteSource) throws -> [UInt8] {
        var out: [UInt8] = []
        while true {
            let c = try s.next()
            if c.isEmpty { return out }
            out += c
        }
    }
}

@Suite struct TarFormatTests {
    /// GNU tar's long names (`././@LongLink`) and pax headers with xattrs are read.
    @Test(arguments: ["gnu", "pax"])
    func readsSystemTar(format: String) throws {
        let tmp = TempDir("tar")
        defer { tmp.cleanup() }
        let src = tmp.sub("src")
        let long = String(repeating: "d", count: 120) + "/" + String(repeating: "f", count: 130)
        try FileManager.default.createDirectory(atPath: "\(src)/\(String(repeating: "d", count: 120))", withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: "\(src)/\(long)", contents: Data("long".utf8))
        try FileManager.default.createSymbolicLink(atPath: "\(src)/link", withDestinationPath: String(repeating: "t", count: 150))
        FileManager.default.createFile(atPath: "\(src)/x", contents: Data("x".utf8))
        let hasXattr = setxattr("\(src)/x", "user.skiff", "v1", 2, 0) == 0
        let (rc, out) = try run(["tar", "--format=\(format)", "--xattrs", "--xattrs-include=user.*", "-C", src, "-cf", "\(tmp.path)/a.tar", "."])
        #expect(rc == 0, "\(out)")
        let r = TarReader(BufferedReader(BytesSource(try FS.readFile("\(tmp.path)/a.tar"))))
        var seen: [String: TarEntry] = [:]
        while let e = try r.next() {
            var data: [UInt8] = []
            while true {
                let c = try r.readData()
                if c.isEmpty { break }
                data += c
            }
            if e.kind == .regular && e.path.hasSuffix(String(repeating: "f", count: 130)) { #expect(data == Array("long".utf8)) }
            seen[ArchiveIndex.normalise(e.path)] = e
        }
        #expect(seen[long]?.kind == .regular)
        #expect(seen["link"]?.linkTarget == String(repeating: "t", count: 150))
        if hasXattr && format == "pax" { #expect(seen["x"]?.xattrs["user.skiff"] == Array("v1".utf8)) }
    }

    @Test func writerOutputIsReadBySystemTar() throws {
        let tmp = TempDir("tarw")
        defer { tmp.cleanup() }
        let long = String(repeating: "p", count: 90) + "/" + String(repeating: "q", count: 90) + "/" + String(repeating: "r", count: 90)
        let tar = try makeTar([dir("a"), file("a/b", "bee"), file(long, "deep"), symlink("a/l", to: String(repeating: "z", count: 120)),
                               hardlink("a/h", to: "a/b")])
        FileManager.default.createFile(atPath: "\(tmp.path)/w.tar", contents: Data(tar))
        let dest = tmp.sub("out")
        let (rc, out) = try run(["tar", "-C", dest, "-xf", "\(tmp.path)/w.tar"])
        #expect(rc == 0, "\(out)")
        #expect(try String(contentsOfFile: "\(dest)/\(long)", encoding: .utf8) == "deep")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: "\(dest)/a/l") == String(repeating: "z", count: 120))
        #expect(try String(contentsOfFile: "\(dest)/a/h", encoding: .utf8) == "bee")
    }
}
