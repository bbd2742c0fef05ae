import OCI

/// The registry's on-disk state: global blobs plus, per repository, the links, manifest
/// records, tags and referrer entries laid out by `StorageLayout`.
///
/// Every method runs its file operations on the blocking thread pool. Small records are
/// written atomically (temporary file, fsync, rename, fsync of the directory), so a crash
/// leaves either the old or the new state and a restart serves everything that was
/// acknowledged.
struct RepositoryStore: Sendable {
    let layout: StorageLayout

    // MARK: Repositories

    func repositoryExists(_ name: String) async throws -> Bool {
        let layout = self.layout
        return try await DiskIO.run {
            DiskIO.isDirectory(layout.layersDirectory(name)) || DiskIO.isDirectory(layout.manifestsDirectory(name))
        }
    }

    /// Every repository, in lexical order.
    func repositories() async throws -> [String] {
        let layout = self.layout
        return try await DiskIO.run {
            var found: [String] = []
            func walk(_ directory: String, _ prefix: String) throws {
                let entries = try DiskIO.listDirectory(directory)
                if entries.contains("_layers") || entries.contains("_manifests") { found.append(prefix) }
                for entry in entries where !entry.hasPrefix("_") && DiskIO.isDirectory(directory + "/" + entry) {
                    try walk(directory + "/" + entry, prefix.isEmpty ? entry : prefix + "/" + entry)
                }
            }
            try walk(layout.repositoriesDirectory, "")
            return found.filter { !$0.isEmpty }.sorted()
        }
    }

    // MARK: Blobs

    /// Size of a blob in the global store, or nil.
    func blobSize(_ digest: Digest) async throws -> Int64? {
        let path = layout.blob(digest)
        return try await DiskIO.run { try DiskIO.fileSize(path) }
    }

    /// Size of a blob if `name` may serve it (it was pushed or mounted there), or nil.
    func linkedBlobSize(_ name: String, _ digest: Digest) async throws -> Int64? {
        let layout = self.layout
        return try await DiskIO.run {
            guard DiskIO.exists(layout.layerLink(name, digest)) else { return nil }
            return try DiskIO.fileSize(layout.blob(digest))
        }
    }

    func linkBlob(_ name: String, _ digest: Digest) async throws {
        let link = layout.layerLink(name, digest)
        try await DiskIO.run {
            if DiskIO.exists(link) { return }
            try DiskIO.makeDirectories(link.parentDirectory)
            try DiskIO.touch(link)
            try DiskIO.syncDirectory(containing: link)
        }
    }

    /// Removes the repository's link (the content stays for other repositories); false when
    /// the repository had no such blob.
    func unlinkBlob(_ name: String, _ digest: Digest) async throws -> Bool {
        let link = layout.layerLink(name, digest)
        return try await DiskIO.run { try DiskIO.remove(link) }
    }

    /// Moves a fully written, verified staging file into the content store under `digest`:
    /// fsync, then rename (atomic: readers see no blob or the whole blob), then fsync of the
    /// directory. If the blob is already there (a concurrent or earlier push of the same
    /// content), the staging file is dropped instead: content addressing makes both identical,
    /// and a rename racing another rename of the same content is equally harmless.
    func commitBlob(staging: String, as digest: Digest) async throws {
        let target = layout.blob(digest)
        try await DiskIO.run {
            if try DiskIO.fileSize(target) != nil {
                try DiskIO.remove(staging)
                return
            }
            try DiskIO.syncFile(staging)
            try DiskIO.makeDirectories(target.parentDirectory)
            try DiskIO.renameDurably(from: staging, to: target)
        }
    }

    /// Stores small content (a manifest) in the content store.
    func storeSmallBlob(_ bytes: [UInt8], as digest: Digest) async throws {
        let layout = self.layout
        try await DiskIO.run {
            let target = layout.blob(digest)
            if try DiskIO.fileSize(target) != nil { return }
            try DiskIO.makeDirectories(target.parentDirectory)
            try DiskIO.writeAtomically(bytes, to: target, temporaryDirectory: layout.temporaryDirectory)
        }
    }

    func readSmallBlob(_ digest: Digest) async throws -> [UInt8]? {
        let path = layout.blob(digest)
        return try await DiskIO.run { try DiskIO.readSmallFile(path) }
    }

    // MARK: Manifests

    func manifestRecord(_ name: String, _ digest: Digest) async throws -> ManifestRecord? {
        let path = layout.revision(name, digest)
        guard let bytes = try await DiskIO.run({ try DiskIO.readSmallFile(path) }) else { return nil }
        return try RegistryJSON.decode(ManifestRecord.self, from: bytes)
    }

    /// Records a manifest (whose bytes are already in the content store) in a repository,
    /// its referrer entry, and the tag pointing at it.
    func putManifest(_ name: String, record: ManifestRecord, tag: String?) async throws {
        let layout = self.layout
        let digest = record.descriptor.digest
        let recordBytes = Array(try RegistryJSON.encode(record).readableBytesView)
        let referrerBytes: [UInt8]? = record.subject == nil
            ? nil : Array(try RegistryJSON.encode(record.descriptor).readableBytesView)
        try await DiskIO.run {
            let revision = layout.revision(name, digest)
            try DiskIO.makeDirectories(revision.parentDirectory)
            try DiskIO.writeAtomically(recordBytes, to: revision, temporaryDirectory: layout.temporaryDirectory)
            if let subject = record.subject, let referrerBytes {
                let entry = layout.referrer(name, subject: subject.digest, manifest: digest)
                try DiskIO.makeDirectories(entry.parentDirectory)
                try DiskIO.writeAtomically(referrerBytes, to: entry, temporaryDirectory: layout.temporaryDirectory)
            }
            if let tag {
                let path = layout.tag(name, tag)
                try DiskIO.makeDirectories(path.parentDirectory)
                try DiskIO.writeAtomically(Array(digest.description.utf8), to: path,
                                           temporaryDirectory: layout.temporaryDirectory)
            }
        }
    }

    /// Removes a manifest from a repository with the tags pointing at it and its referrer
    /// entry; false when the repository had no such manifest.
    func deleteManifest(_ name: String, _ digest: Digest) async throws -> Bool {
        guard let record = try await manifestRecord(name, digest) else { return false }
        let layout = self.layout
        try await DiskIO.run {
            for tag in try DiskIO.listDirectory(layout.tagsDirectory(name)) {
                let path = layout.tag(name, tag)
                if let bytes = try DiskIO.readSmallFile(path), String(decoding: bytes, as: UTF8.self) == digest.description {
                    try DiskIO.remove(path)
                }
            }
            if let subject = record.subject {
                try DiskIO.remove(layout.referrer(name, subject: subject.digest, manifest: digest))
            }
            try DiskIO.remove(layout.revision(name, digest))
        }
        return true
    }

    // MARK: Tags

    func resolveTag(_ name: String, _ tag: String) async throws -> Digest? {
        let path = layout.tag(name, tag)
        guard let bytes = try await DiskIO.run({ try DiskIO.readSmallFile(path) }) else { return nil }
        return try Digest(parsing: String(decoding: bytes, as: UTF8.self))
    }

    func deleteTag(_ name: String, _ tag: String) async throws -> Bool {
        let path = layout.tag(name, tag)
        return try await DiskIO.run { try DiskIO.remove(path) }
    }

    /// Tags of a repository in lexical order.
    func tags(_ name: String) async throws -> [String] {
        let directory = layout.tagsDirectory(name)
        return try await DiskIO.run { try DiskIO.listDirectory(directory).filter { TagName.isValid($0) }.sorted() }
    }

    // MARK: Referrers

    /// Descriptors of the manifests in `name` whose subject is `subject`, ordered by digest.
    func referrers(_ name: String, subject: Digest) async throws -> [Descriptor] {
        let directory = layout.referrersDirectory(name, subject: subject)
        let entries: [[UInt8]] = try await DiskIO.run {
            try DiskIO.listDirectory(directory).sorted().compactMap { try DiskIO.readSmallFile(directory + "/" + $0) }
        }
        return try entries.map { try RegistryJSON.decode(Descriptor.self, from: $0) }
    }
}
