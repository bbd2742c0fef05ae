/// An image manifest (image-spec `manifest.md`), also the shape of a Docker schema 2
/// manifest, which differs only in media types.
public struct Manifest: Codable, Sendable, Hashable {
    /// Must be 2 for compatibility with Docker clients.
    public var schemaVersion: Int
    /// `application/vnd.oci.image.manifest.v1+json` or Docker's schema 2 type; optional in OCI.
    public var mediaType: String?
    /// Set when the manifest describes an artifact rather than a runnable image.
    public var artifactType: String?
    /// The image configuration blob.
    public var config: Descriptor
    /// Layers in application order: the first is the base.
    public var layers: [Descriptor]
    /// The manifest this one refers to (referrers API).
    public var subject: Descriptor?
    public var annotations: [String: String]?

    public init(mediaType: String? = MediaType.ociManifest, config: Descriptor, layers: [Descriptor],
                subject: Descriptor? = nil, annotations: [String: String]? = nil, artifactType: String? = nil) {
        self.schemaVersion = 2
        self.mediaType = mediaType
        self.config = config
        self.layers = layers
        self.subject = subject
        self.annotations = annotations
        self.artifactType = artifactType
    }
}

/// An image index (image-spec `image-index.md`): a list of manifests, usually one per
/// platform. Also the shape of a Docker manifest list.
public struct Index: Codable, Sendable, Hashable {
    public var schemaVersion: Int
    public var mediaType: String?
    public var artifactType: String?
    public var manifests: [Descriptor]
    public var subject: Descriptor?
    public var annotations: [String: String]?

    public init(mediaType: String? = MediaType.ociIndex, manifests: [Descriptor],
                annotations: [String: String]? = nil) {
        self.schemaVersion = 2
        self.mediaType = mediaType
        self.manifests = manifests
        self.annotations = annotations
    }

    /// The entry for `platform`, matching architecture, os and (when both name one) variant.
    public func manifest(for platform: Platform) -> Descriptor? {
        manifests.first { d in
            guard let p = d.platform else { return false }
            guard p.architecture == platform.architecture, p.os == platform.os else { return false }
            if let want = platform.variant, let have = p.variant { return want == have }
            return true
        }
    }
}

/// The parts of a manifest-like document needed to tell what it is before decoding it fully.
public struct ManifestEnvelope: Codable, Sendable {
    public var schemaVersion: Int?
    public var mediaType: String?
    public var config: Descriptor?
    public var layers: [Descriptor]?
    public var manifests: [Descriptor]?
    public var subject: Descriptor?
    public var artifactType: String?
    public var annotations: [String: String]?

    /// Whether the document is an index (has `manifests`) rather than an image manifest.
    public var isIndex: Bool { manifests != nil || (mediaType.map { MediaType.indexes.contains($0) } ?? false) }
}
