import HTTPTypes

/// Header names of the distribution-spec that HTTPTypes does not predefine.
extension HTTPField.Name {
    static let dockerContentDigest = registryHeader("Docker-Content-Digest")
    static let dockerDistributionAPIVersion = registryHeader("Docker-Distribution-API-Version")
    static let dockerUploadUUID = registryHeader("Docker-Upload-UUID")
    static let ociSubject = registryHeader("OCI-Subject")
    static let ociFiltersApplied = registryHeader("OCI-Filters-Applied")
    static let link = registryHeader("Link")

    private static func registryHeader(_ name: String) -> HTTPField.Name {
        // The names above are constant, valid tokens; failing here is a typo in this file.
        guard let field = HTTPField.Name(name) else { preconditionFailure("invalid header name \(name)") }
        return field
    }
}
