/// Error codes of the OCI distribution-spec (section "Error Codes"), with the HTTP status each
/// is sent with by skiff's registry.
public enum DistributionErrorCode: String, Codable, Sendable, CaseIterable {
    case blobUnknown = "BLOB_UNKNOWN"
    case blobUploadInvalid = "BLOB_UPLOAD_INVALID"
    case blobUploadUnknown = "BLOB_UPLOAD_UNKNOWN"
    case digestInvalid = "DIGEST_INVALID"
    case manifestBlobUnknown = "MANIFEST_BLOB_UNKNOWN"
    case manifestInvalid = "MANIFEST_INVALID"
    case manifestUnknown = "MANIFEST_UNKNOWN"
    case nameInvalid = "NAME_INVALID"
    case nameUnknown = "NAME_UNKNOWN"
    case sizeInvalid = "SIZE_INVALID"
    case unauthorized = "UNAUTHORIZED"
    case denied = "DENIED"
    case unsupported = "UNSUPPORTED"
    case tooManyRequests = "TOOMANYREQUESTS"
    /// Not in the spec's table, but what registries send for a malformed Range.
    case rangeInvalid = "RANGE_INVALID"

    /// The HTTP status this error is returned with.
    public var httpStatus: Int {
        switch self {
        case .blobUnknown, .blobUploadUnknown, .manifestUnknown, .nameUnknown: return 404
        case .unauthorized: return 401
        case .denied: return 403
        case .unsupported: return 415
        case .tooManyRequests: return 429
        case .rangeInvalid: return 416
        case .blobUploadInvalid, .digestInvalid, .manifestBlobUnknown, .manifestInvalid, .nameInvalid, .sizeInvalid:
            return 400
        }
    }
}

/// The JSON error body of the distribution-spec: `{"errors":[{"code":…,"message":…,"detail":…}]}`.
public struct DistributionErrorBody: Codable, Sendable, Equatable {
    public struct Entry: Codable, Sendable, Equatable {
        public var code: String
        public var message: String
        /// Free-form; skiff sends a string naming the offending value.
        public var detail: String?
        public init(code: String, message: String, detail: String? = nil) {
            self.code = code
            self.message = message
            self.detail = detail
        }
    }
    public var errors: [Entry]

    public init(_ code: DistributionErrorCode, message: String, detail: String? = nil) {
        self.errors = [Entry(code: code.rawValue, message: message, detail: detail)]
    }
    public init(errors: [Entry]) { self.errors = errors }
}

/// The tag list body: `GET /v2/<name>/tags/list`.
public struct TagList: Codable, Sendable, Equatable {
    public var name: String
    public var tags: [String]
    public init(name: String, tags: [String]) { self.name = name; self.tags = tags }
}

/// The catalog body: `GET /v2/_catalog`.
public struct Catalog: Codable, Sendable, Equatable {
    public var repositories: [String]
    public init(repositories: [String]) { self.repositories = repositories }
}
