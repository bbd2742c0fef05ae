import OCI

/// Where everything lives under the registry's root directory.
///
/// ```
/// blobs/<alg>/<first two hex>/<hex>              content, shared by all repositories
/// uploads/<id>/data, uploads/<id>/repository      uploads in progress (never served)
/// tmp/                                           temporary files of atomic writes
/// repositories/<name>/_layers/<alg>/<hex>        links: blobs this repository may serve
/// repositories/<name>/_manifests/revisions/<alg>/<hex>   manifest records (media type, …)
/// repositories/<name>/_manifests/tags/<tag>      the digest a tag points at
/// repositories/<name>/_referrers/<alg>/<subject hex>/<alg>-<hex>  referrer descriptors
/// ```
///
/// Content is global so that a mount is a link and identical layers are stored once; the
/// per-repository links keep a blob pushed to one repository invisible from another. Names are
/// validated before they get here, and the grammar forbids components starting with `_`, so
/// a repository named `a/_layers` cannot collide with the layout's own directories.
struct StorageLayout: Sendable {
    let root: String

    var blobsDirectory: String { root + "/blobs" }
    var uploadsDirectory: String { root + "/uploads" }
    var temporaryDirectory: String { root + "/tmp" }
    var repositoriesDirectory: String { root + "/repositories" }

    func blob(_ digest: Digest) -> String {
        "\(blobsDirectory)/\(digest.algorithm.rawValue)/\(digest.encoded.prefix(2))/\(digest.encoded)"
    }

    func upload(_ id: String) -> String { "\(uploadsDirectory)/\(id)" }
    func uploadData(_ id: String) -> String { "\(upload(id))/data" }
    func uploadRepository(_ id: String) -> String { "\(upload(id))/repository" }

    func repository(_ name: String) -> String { "\(repositoriesDirectory)/\(name)" }
    func layersDirectory(_ name: String) -> String { repository(name) + "/_layers" }
    func manifestsDirectory(_ name: String) -> String { repository(name) + "/_manifests" }

    func layerLink(_ name: String, _ digest: Digest) -> String {
        "\(layersDirectory(name))/\(digest.algorithm.rawValue)/\(digest.encoded)"
    }
    func revision(_ name: String, _ digest: Digest) -> String {
        "\(manifestsDirectory(name))/revisions/\(digest.algorithm.rawValue)/\(digest.encoded)"
    }
    func tagsDirectory(_ name: String) -> String { manifestsDirectory(name) + "/tags" }
    func tag(_ name: String, _ tag: String) -> String { "\(tagsDirectory(name))/\(tag)" }

    func referrersDirectory(_ name: String, subject: Digest) -> String {
        "\(repository(name))/_referrers/\(subject.algorithm.rawValue)/\(subject.encoded)"
    }
    func referrer(_ name: String, subject: Digest, manifest: Digest) -> String {
        "\(referrersDirectory(name, subject: subject))/\(manifest.algorithm.rawValue)-\(manifest.encoded)"
    }

    /// Deletes uploads nobody has touched for `age` seconds: a client that went away for
    /// good never completes or cancels them, and they would otherwise stay forever.
    func removeAbandonedUploads(olderThan age: Int) throws {
        let cutoff = DiskIO.now() - age
        for id in try DiskIO.listDirectory(uploadsDirectory) {
            let lastTouched = DiskIO.modificationTime(uploadData(id)) ?? DiskIO.modificationTime(upload(id)) ?? 0
            if lastTouched < cutoff { DiskIO.removeTree(upload(id)) }
        }
    }

    /// Creates the fixed top-level directories.
    func prepare() throws {
        for directory in [blobsDirectory, uploadsDirectory, temporaryDirectory, repositoriesDirectory] {
            try DiskIO.makeDirectories(directory)
        }
    }
}

/// What the registry remembers about a manifest in a repository beyond its bytes: the media
/// type it was pushed with (returned as `Content-Type`), and what the referrers API lists.
struct ManifestRecord: Codable, Sendable {
    /// The descriptor a referrers response lists for this manifest.
    var descriptor: Descriptor
    /// The manifest's `subject`, when it refers to another manifest.
    var subject: Descriptor?
}

extension String {
    /// `dir` of `dir/name`.
    var parentDirectory: String {
        guard let slash = lastIndex(of: "/") else { return "." }
        return String(self[..<slash])
    }
}
