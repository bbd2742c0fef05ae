#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import OCI

extension ImageStore {
    /// Every blob reachable from `target` that this store holds: the target itself, and for an
    /// index its children that are present (a pull keeps only the host's platform).
    func closure(of target: Descriptor) throws -> [Descriptor] {
        var out: [Descriptor] = [target]
        let env = try envelope(target.digest).envelope
        if env.isIndex {
            for child in env.manifests ?? [] where content.contains(child.digest) {
                out += try closure(of: child)
            }
        } else {
            if let c = env.config { out.append(c) }
            out += env.layers ?? []
        }
        return out
    }

    /// Writes the named images as an OCI image-layout archive (`oci-layout`, `index.json`,
    /// `blobs/…`), entries sorted, mtimes 0, so the same images always give the same bytes.
    /// Each image is annotated with its full name (`org.opencontainers.image.ref.name`).
    public func export(_ names: [String], to path: String) throws {
        var manifests: [Descriptor] = []
        var blobs: [Digest: Descriptor] = [:]
        for n in names {
            let rec = try record(n)
            var target = rec.target
            // An index with children that were not pulled would be incomplete: export the
            // host platform's manifest instead.
            let env = try envelope(target.digest).envelope
            if env.isIndex, (env.manifests ?? []).contains(where: { !content.contains($0.digest) }) {
                target = try manifest(for: target).descriptor
            }
            for d in try closure(of: target) {
                guard content.contains(d.digest) else { throw ImageStoreError.blobNotFound(d.digest) }
                blobs[d.digest] = d
            }
            var annotated = target
            annotated.annotations = (target.annotations ?? [:]).merging([Descriptor.refNameAnnotation: rec.name]) { $1 }
            manifests.append(annotated)
        }
        try writeLayoutArchive(index: Index(manifests: manifests), blobs: blobs.keys.sorted(), to: path, mtime: 0)
    }

    /// The archive writer shared by export and build.
    func writeLayoutArchive(index: Index, blobs: [Digest], to path: String, mtime: Int64) throws {
        let tmp = "\(path).tmp-\(UInt64.random(in: 0...UInt64.max))"
        let fd = try FS.open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        var ok = false
        defer {
            close(fd)
            if !ok { unlink(tmp) }
        }
        let tar = TarWriter(FileSink(fd: fd, what: tmp))
        func file(_ name: String, _ bytes: [UInt8]) throws {
            var e = TarEntry(path: name, kind: .regular)
            e.size = Int64(bytes.count)
            e.mtimeSeconds = mtime
            try tar.add(e, data: BytesSource(bytes))
        }
        func dir(_ name: String) throws {
            var e = TarEntry(path: name, kind: .directory)
            e.mode = 0o755
            e.mtimeSeconds = mtime
            try tar.add(e)
        }
        try dir("blobs")
        for alg in Set(blobs.map(\.algorithm)).sorted(by: { $0.rawValue < $1.rawValue }) {
            try dir("blobs/\(alg.rawValue)")
        }
        for d in blobs {
            let bfd = try content.open(d)
            defer { close(bfd) }
            guard let size = content.size(of: d) else { throw ImageStoreError.blobNotFound(d) }
            var e = TarEntry(path: "blobs/\(d.algorithm.rawValue)/\(d.encoded)", kind: .regular)
            e.size = size
            e.mtimeSeconds = mtime
            let src = HashingSource(FileSource(fd: bfd, what: content.path(for: d)), algorithm: d.algorithm)
            try tar.add(e, data: src)
            try content.confirm(d, actual: try src.digest())
        }
        try file("index.json", try canonicalJSON(index))
        try file("oci-layout", try canonicalJSON(ImageLayoutHeader()))
        try tar.finish()
        try FS.check(fsync(fd), "fsync \(tmp)")
        try FS.rename(tmp, path)
        ok = true
    }
}
