import APIModel
import Hummingbird

extension ResponseRenderer {
    /// Tables and metadata-only shapes apply to reads of the resource itself; writes and
    /// subresources such as `scale` always answer with the object.
    func render(_ response: RESTResponse, reshape: Bool) -> Response {
        let body: JSONValue
        switch response.payload {
        case .object(let object):
            body = reshape ? reshapeObject(object) : object
        case .list(let items, let resourceVersion, let continueToken, let remaining):
            body = reshape
                ? reshapeList(items, resourceVersion: resourceVersion, continueToken: continueToken, remaining: remaining)
                : Self.list(kind: resource.listKind, apiVersion: resource.groupVersion.apiVersion, items: items,
                            resourceVersion: resourceVersion, continueToken: continueToken, remaining: remaining)
        }
        return JSONResponses.make(response.code, body, warnings: response.warnings)
    }

}
