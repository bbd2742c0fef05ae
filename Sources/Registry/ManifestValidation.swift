import OCI

/// Checks that a pushed document is a manifest the registry can serve, and extracts what
/// the registry needs from it.
enum ManifestValidation {
    struct Parsed: Sendable {
        /// The media type it is stored and served with.
        var mediaType: String
        /// Config and layers of an image manifest (must be in the repository).
        var blobs: [Descriptor]
        /// Entries of an index (must be in the repository).
        var manifests: [Descriptor]
        var subject: Descriptor?
        /// What the referrers API reports: `artifactType`, else the config's media type.
        var artifactType: String?
        var annotations: [String: String]?
    }

    /// Parses `bytes` sent with `contentType`.
    ///
    /// The Content-Type decides the kind: a type that is not a manifest type is
    /// `UNSUPPORTED` (415); a body that does not parse as that kind, or whose own `mediaType`
    /// contradicts the header, is `MANIFEST_INVALID`. Without a Content-Type the body's
    /// `mediaType` field decides.
    static func parse(_ bytes: [UInt8], contentType header: String?) throws -> Parsed {
        let envelope: ManifestEnvelope
        do {
            envelope = try RegistryJSON.decode(ManifestEnvelope.self, from: bytes)
        } catch {
            throw RegistryError(.manifestInvalid, "manifest is not valid JSON", detail: "\(error)")
        }
        let headerType = header.map { String($0.split(separator: ";", maxSplits: 1)[0]).trimmingSpaces.lowercased() }
        guard let mediaType = headerType ?? envelope.mediaType else {
            throw RegistryError(.manifestInvalid, "no Content-Type and no mediaType in the manifest")
        }
        guard MediaType.allManifests.contains(mediaType) else {
            throw RegistryError(.unsupported, "unsupported manifest media type", detail: mediaType)
        }
        if let declared = envelope.mediaType, declared != mediaType {
            throw RegistryError(.manifestInvalid, "manifest mediaType does not match Content-Type",
                                detail: "body says \(declared), Content-Type is \(mediaType)")
        }
        guard envelope.schemaVersion == 2 else {
            throw RegistryError(.manifestInvalid, "schemaVersion must be 2",
                                detail: envelope.schemaVersion.map(String.init) ?? "missing")
        }
        if MediaType.indexes.contains(mediaType) {
            let index: Index
            do { index = try RegistryJSON.decode(Index.self, from: bytes) } catch {
                throw RegistryError(.manifestInvalid, "invalid image index", detail: "\(error)")
            }
            return Parsed(mediaType: mediaType, blobs: [], manifests: index.manifests, subject: index.subject,
                          artifactType: index.artifactType, annotations: index.annotations)
        }
        let manifest: Manifest
        do { manifest = try RegistryJSON.decode(Manifest.self, from: bytes) } catch {
            throw RegistryError(.manifestInvalid, "invalid image manifest", detail: "\(error)")
        }
        return Parsed(mediaType: mediaType, blobs: [manifest.config] + manifest.layers, manifests: [],
                      subject: manifest.subject, artifactType: manifest.artifactType ?? manifest.config.mediaType,
                      annotations: manifest.annotations)
    }
}
