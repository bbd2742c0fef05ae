/// The `oci-layout` file at the root of an OCI image layout (image-spec `image-layout.md`).
public struct ImageLayoutHeader: Codable, Sendable, Equatable {
    public var imageLayoutVersion: String
    public init(imageLayoutVersion: String = "1.0.0") { self.imageLayoutVersion = imageLayoutVersion }
}

/// One entry of a `docker save` archive's `manifest.json`.
public struct DockerArchiveManifestEntry: Codable, Sendable, Equatable {
    /// Path inside the archive of the image config JSON.
    public var Config: String
    /// `name:tag` references the image was saved under.
    public var RepoTags: [String]?
    /// Paths inside the archive of the layer tars, base first.
    public var Layers: [String]

    public init(Config: String, RepoTags: [String]?, Layers: [String]) {
        self.Config = Config
        self.RepoTags = RepoTags
        self.Layers = Layers
    }
}
