/// Media types from the OCI image-spec and the Docker image manifest v2 schema 2, the two
/// vocabularies registries and archives speak. Kept as plain strings so that unknown types
/// round-trip untouched (the spec requires implementations to ignore types they don't know).
public enum MediaType {
    // OCI image-spec v1.1
    public static let ociManifest = "application/vnd.oci.image.manifest.v1+json"
    public static let ociIndex = "application/vnd.oci.image.index.v1+json"
    public static let ociConfig = "application/vnd.oci.image.config.v1+json"
    public static let ociLayoutHeader = "application/vnd.oci.layout.header.v1+json"
    public static let ociLayer = "application/vnd.oci.image.layer.v1.tar"
    public static let ociLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip"
    public static let ociLayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd"
    public static let ociLayerNondistributable = "application/vnd.oci.image.layer.nondistributable.v1.tar"
    public static let ociLayerNondistributableGzip = "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"
    public static let ociEmpty = "application/vnd.oci.empty.v1+json"

    // Docker image manifest v2, schema 2
    public static let dockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
    public static let dockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json"
    public static let dockerConfig = "application/vnd.docker.container.image.v1+json"
    public static let dockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip"
    public static let dockerLayerForeignGzip = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"

    /// Media types a registry accepts as manifests (single-platform images).
    public static let imageManifests: Set<String> = [ociManifest, dockerManifest]
    /// Media types a registry accepts as indexes (multi-platform images).
    public static let indexes: Set<String> = [ociIndex, dockerManifestList]
    /// Every manifest-like type: what `PUT /v2/<name>/manifests/<ref>` may carry.
    public static let allManifests: Set<String> = imageManifests.union(indexes)

    /// How a layer blob is compressed, judged from its media type.
    public enum LayerCompression: Sendable, Equatable { case none, gzip, zstd }

    /// The compression a layer media type implies, or nil when the type is not a layer.
    public static func layerCompression(_ mediaType: String) -> LayerCompression? {
        switch mediaType {
        case ociLayer, ociLayerNondistributable, "application/vnd.docker.image.rootfs.diff.tar":
            return LayerCompression.none
        case ociLayerGzip, ociLayerNondistributableGzip, dockerLayerGzip, dockerLayerForeignGzip:
            return .gzip
        case ociLayerZstd:
            return .zstd
        default:
            return nil
        }
    }
}
