import HTTPTypes
import Hummingbird
import NIOCore
import OCI

/// An error the registry answers a request with: a distribution-spec error code, a message
/// for people, and a detail naming the offending value. Handlers throw it; the responder turns
/// it into the spec's JSON body (`{"errors":[…]}`) with the code's HTTP status.
struct RegistryError: Error, CustomStringConvertible {
    var code: DistributionErrorCode
    var message: String
    var detail: String?
    /// Overrides the code's usual status where the spec asks for another (416 on an
    /// out-of-order chunk, 413 on an oversized manifest).
    var status: HTTPResponse.Status?
    /// Headers the spec requires alongside some errors (`Content-Range` on a 416).
    var headers: HTTPFields = [:]

    init(_ code: DistributionErrorCode, _ message: String, detail: String? = nil,
         status: HTTPResponse.Status? = nil, headers: HTTPFields = [:]) {
        self.code = code
        self.message = message
        self.detail = detail
        self.status = status
        self.headers = headers
    }

    var description: String { "\(code.rawValue): \(message)" + (detail.map { " (\($0))" } ?? "") }

    var httpStatus: HTTPResponse.Status { status ?? HTTPResponse.Status(code: code.httpStatus) }

    /// The response carrying this error. HEAD responses carry the headers only.
    func response(forHead: Bool) -> Response {
        var headers = self.headers
        headers[.contentType] = "application/json"
        let body = DistributionErrorBody(code, message: message, detail: detail)
        let buffer = (try? RegistryJSON.encode(body)) ?? ByteBuffer(string: #"{"errors":[]}"#)
        headers[.contentLength] = String(buffer.readableBytes)
        return Response(status: httpStatus, headers: headers, body: forHead ? ResponseBody() : ResponseBody(byteBuffer: buffer))
    }

    // MARK: Errors used from several handlers

    static func nameInvalid(_ name: String) -> RegistryError {
        RegistryError(.nameInvalid, "invalid repository name", detail: name)
    }
    static func nameUnknown(_ name: String) -> RegistryError {
        RegistryError(.nameUnknown, "repository name not known to registry", detail: name)
    }
    static func blobUnknown(_ digest: String) -> RegistryError {
        RegistryError(.blobUnknown, "blob unknown to registry", detail: digest)
    }
    static func digestInvalid(_ value: String, _ why: String) -> RegistryError {
        RegistryError(.digestInvalid, "provided digest did not match uploaded content", detail: "\(value): \(why)")
    }
    static func uploadUnknown(_ id: String) -> RegistryError {
        RegistryError(.blobUploadUnknown, "blob upload unknown to registry", detail: id)
    }
    static func manifestUnknown(_ reference: String) -> RegistryError {
        RegistryError(.manifestUnknown, "manifest unknown", detail: reference)
    }
}
