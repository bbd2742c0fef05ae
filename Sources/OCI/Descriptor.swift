/// A content descriptor: a reference to content by media type, digest and size
/// (image-spec `descriptor.md`). Descriptors are how manifests and indexes point at blobs.
public struct Descriptor: Codable, Sendable, Hashable {
    /// The media type of the referenced content.
    public var mediaType: String
    /// The digest of the targeted content; retrieved content must be verified against it.
    public var digest: Digest
    /// The size in bytes of the raw content; clients verify it before trusting the data.
    public var size: Int64
    /// Alternate locations the content may be downloaded from (rarely used).
    public var urls: [String]?
    /// Arbitrary metadata; `org.opencontainers.image.ref.name` names an image in a layout index.
    public var annotations: [String: String]?
    /// Embedded content, base64 in JSON (image-spec v1.1).
    public var data: String?
    /// The platform an index entry targets.
    public var platform: Platform?
    /// The type of an artifact when the descriptor points at an artifact manifest.
    public var artifactType: String?

    public init(mediaType: String, digest: Digest, size: Int64, annotations: [String: String]? = nil,
                platform: Platform? = nil, artifactType: String? = nil) {
        self.mediaType = mediaType
        self.digest = digest
        self.size = size
        self.annotations = annotations
        self.platform = platform
        self.artifactType = artifactType
    }

    /// The annotation an OCI image layout uses to name an image (`org.opencontainers.image.ref.name`).
    public static let refNameAnnotation = "org.opencontainers.image.ref.name"
}

/// The platform an image runs on (image-spec `image-index.md`).
public struct Platform: Codable, Sendable, Hashable {
    /// CPU architecture in GOARCH terms: `amd64`, `arm64`, …
    public var architecture: String
    /// Operating system in GOOS terms: `linux`, …
    public var os: String
    public var osVersion: String?
    public var osFeatures: [String]?
    /// CPU variant, e.g. `v8` for arm64.
    public var variant: String?

    enum CodingKeys: String, CodingKey {
        case architecture, os, variant
        case osVersion = "os.version"
        case osFeatures = "os.features"
    }

    public init(architecture: String, os: String, variant: String? = nil) {
        self.architecture = architecture
        self.os = os
        self.variant = variant
    }

    /// The platform of the machine skiff runs on.
    public static var host: Platform {
        #if arch(x86_64)
        return Platform(architecture: "amd64", os: "linux")
        #elseif arch(arm64)
        return Platform(architecture: "arm64", os: "linux", variant: "v8")
        #else
        return Platform(architecture: "unknown", os: "linux")
        #endif
    }
}
