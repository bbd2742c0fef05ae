import OCI

/// One blob upload in progress: which repository it is for, how many bytes it holds, and
/// the running hash of those bytes.
struct UploadSession: Sendable {
    let id: String
    let repository: String
    /// Bytes received and written so far; the next chunk must start here.
    var size: Int64
    /// Hash of the first `size` bytes; nil after a restart until the data is re-read.
    var hasher: BlobHasher?
}

/// The uploads in progress. A session's data lives in `uploads/<id>/data` and is never
/// served; only a completed, verified upload is renamed into the content store.
///
/// Requests on one session are serialised by checking it out: a second request arriving
/// while a chunk is still streaming gets `BLOB_UPLOAD_INVALID` instead of interleaving bytes.
/// Sessions survive a restart (their files do; the hash is recomputed on next use).
actor UploadSessions {
    private let layout: StorageLayout
    private var idle: [String: UploadSession] = [:]
    /// Sessions checked out by a request: their repository and size when checked out.
    private var busy: [String: (repository: String, size: Int64)] = [:]

    init(layout: StorageLayout) {
        self.layout = layout
    }

    /// Starts an upload for `repository`; when `checkedOut`, the caller holds it (a
    /// monolithic upload that streams its body right away).
    func create(repository: String, checkedOut: Bool = false) async throws -> UploadSession {
        let id = DiskIO.randomName()
        let layout = self.layout
        try await DiskIO.run {
            try DiskIO.makeDirectories(layout.upload(id))
            // No fsync: an upload lost in a crash is one the client must restart anyway, and
            // a torn owner file only makes the session unknown.
            try DiskIO.writeFile(Array(repository.utf8), to: layout.uploadRepository(id))
            try DiskIO.touch(layout.uploadData(id))
        }
        let session = UploadSession(id: id, repository: repository, size: 0, hasher: BlobHasher())
        if checkedOut { busy[id] = (repository, 0) } else { idle[id] = session }
        return session
    }

    /// Takes a session for exclusive use; `checkIn` or `finish` must follow.
    func checkOut(id: String, repository: String) async throws -> UploadSession {
        guard Self.isWellFormed(id) else { throw RegistryError.uploadUnknown(id) }
        if let (owner, _) = busy[id] {
            guard owner == repository else { throw RegistryError.uploadUnknown(id) }
            throw RegistryError(.blobUploadInvalid, "another request is using this upload", detail: id)
        }
        if let session = idle.removeValue(forKey: id) {
            guard session.repository == repository else {
                idle[id] = session
                throw RegistryError.uploadUnknown(id)
            }
            busy[id] = (repository, session.size)
            return session
        }
        // Not in memory: an upload begun before a restart, or none at all.
        busy[id] = (repository, 0)
        do {
            let layout = self.layout
            let found: (String, Int64)? = try await DiskIO.run {
                guard let owner = try DiskIO.readSmallFile(layout.uploadRepository(id)),
                      let size = try DiskIO.fileSize(layout.uploadData(id)) else { return nil }
                return (String(decoding: owner, as: UTF8.self), size)
            }
            guard let (owner, size) = found, owner == repository else { throw RegistryError.uploadUnknown(id) }
            busy[id] = (repository, size)
            return UploadSession(id: id, repository: owner, size: size, hasher: nil)
        } catch {
            busy[id] = nil
            throw error
        }
    }

    /// Returns a session after a request, with its new size and hash.
    func checkIn(_ session: UploadSession) {
        busy[session.id] = nil
        idle[session.id] = session
    }

    /// Forgets a checked-out session and deletes its staging directory (completion or cancel).
    func finish(_ session: UploadSession) async {
        let directory = layout.upload(session.id)
        try? await DiskIO.run { DiskIO.removeTree(directory) }
        busy[session.id] = nil
        idle.removeValue(forKey: session.id)
    }

    /// The size of an upload without taking it (`GET` of an upload's status). While a chunk
    /// is streaming, the size from before that chunk: the bytes acknowledged so far.
    func size(id: String, repository: String) async throws -> Int64 {
        if let (owner, size) = busy[id] {
            guard owner == repository else { throw RegistryError.uploadUnknown(id) }
            return size
        }
        let session = try await checkOut(id: id, repository: repository)
        checkIn(session)
        return session.size
    }

    /// Upload ids are our own random hex names; anything else cannot name a session (and must
    /// never reach a path).
    static func isWellFormed(_ id: String) -> Bool {
        id.utf8.count == 32 && id.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }
}
