import APIModel
import Hummingbird

/// What a resource request does, from its method, URL shape and `watch` flag.
enum RequestVerb: Sendable, Equatable {
    case rest(RESTVerb)
    case watch
    /// A node-agent stream: `log`, `exec`, `attach`, `portforward`, `proxy`.
    case stream(String)

    static let streamingSubresources: Set<String> = ["log", "exec", "attach", "portforward", "proxy"]

    /// Nil when the method does not apply to this URL shape (→ 405).
    init?(method: HTTPRequest.Method, path: ResourcePath, query: URLQuery, resource: ResourceInfo) {
        if let sub = path.subresource, Self.streamingSubresources.contains(sub) {
            self = .stream(sub)
            return
        }
        // The cluster-wide URL of a namespaced resource only lists and watches.
        let allNamespaces = resource.namespaced && path.namespace == nil
        switch method {
        case .get:
            if path.legacyWatch || query.flag("watch") {
                guard path.subresource == nil else { return nil }
                self = .watch
            } else {
                self = .rest(path.name == nil ? .list : .get)
            }
        case .post:
            guard !allNamespaces, (path.name == nil) == (path.subresource == nil) else { return nil }
            self = .rest(.create)
        case .put:
            guard path.name != nil else { return nil }
            self = .rest(.update)
        case .patch:
            guard path.name != nil else { return nil }
            self = .rest(.patch)
        case .delete:
            if path.name != nil {
                self = .rest(.delete)
            } else {
                guard !allNamespaces else { return nil }
                self = .rest(.deleteCollection)
            }
        default:
            return nil
        }
        if case .rest = self, path.legacyWatch { return nil }
    }

    /// The verb authorizers and discovery speak of.
    var kubernetesVerb: String {
        switch self {
        case .watch: "watch"
        case .stream(let sub): sub == "log" ? "get" : "create"
        case .rest(let verb):
            switch verb {
            case .deleteCollection: "deletecollection"
            default: verb.rawValue
            }
        }
    }

    var isStreaming: Bool { if case .stream = self { true } else { false } }
}
