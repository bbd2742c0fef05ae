import APIModel
import HTTPTypes
import Hummingbird
import NIOCore

/// Building Hummingbird responses from JSON documents.
enum JSONResponses {
    static let json = "application/json"

    static func make(_ code: Int, _ body: JSONValue, contentType: String = json, warnings: [String] = []) -> Response {
        bytes(code, body.encoded(), contentType: contentType, warnings: warnings)
    }

    static func make(_ result: (Int, JSONValue)) -> Response { make(result.0, result.1) }

    static func bytes(_ code: Int, _ bytes: [UInt8], contentType: String = json, warnings: [String] = []) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        headers[.cacheControl] = "no-cache, private"
        for warning in warnings {
            headers.append(HTTPField(name: HeaderNames.warning, value: WarningHeader.format(warning)))
        }
        let buffer = ByteBuffer(bytes: bytes)
        headers[.contentLength] = String(buffer.readableBytes)
        return Response(status: HTTPResponse.Status(code: code), headers: headers, body: ResponseBody(byteBuffer: buffer))
    }

    static func text(_ code: Int, _ text: String) -> Response {
        bytes(code, Array(text.utf8), contentType: "text/plain; charset=utf-8")
    }
}

/// `Warning: 299 - "<text>"`, as Kubernetes sends admission and validation warnings; quotes
/// and backslashes in the text are escaped, control characters dropped.
enum WarningHeader {
    static func format(_ text: String) -> String {
        var escaped = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"", "\\": escaped.append("\\"); escaped.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20 || scalar.value == 0x7f: escaped.append(" ")
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return "299 - \"\(escaped)\""
    }
}

/// Header names HTTPTypes does not predefine.
enum HeaderNames {
    static let warning = named("Warning")

    private static func named(_ name: String) -> HTTPField.Name {
        guard let field = HTTPField.Name(name) else { preconditionFailure("invalid header name \(name)") }
        return field
    }
}
