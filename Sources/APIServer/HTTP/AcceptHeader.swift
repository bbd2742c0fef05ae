import Foundation

/// One media range of an `Accept` header: `application/json;as=Table;v=v1;g=meta.k8s.io`.
struct MediaRange: Sendable, Equatable {
    var type: String
    var parameters: [String: String]

    init(type: String, parameters: [String: String] = [:]) {
        self.type = type
        self.parameters = parameters
    }

    /// Parses a whole header into its ranges, in the client's order (q-values are ignored:
    /// Kubernetes clients list ranges in preference order).
    static func parseList(_ header: String?) -> [MediaRange] {
        guard let header else { return [] }
        return header.split(separator: ",").compactMap { part in
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let first = pieces.first, !first.isEmpty else { return nil }
            var parameters: [String: String] = [:]
            for piece in pieces.dropFirst() {
                let kv = piece.split(separator: "=", maxSplits: 1)
                guard kv.count == 2 else { continue }
                parameters[kv[0].lowercased()] = kv[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
            return MediaRange(type: first.lowercased(), parameters: parameters)
        }
    }

    /// Whether a JSON body satisfies this range (`application/json`, `application/*`, `*/*`).
    var acceptsJSON: Bool { type == "application/json" || type == "application/*" || type == "*/*" }
}

/// What shape a read response takes, chosen from the `Accept` header.
enum ResponseShape: Sendable, Equatable {
    /// The object or `<Kind>List` as stored.
    case plain
    /// A `meta.k8s.io/v1` Table (`as=Table`), as `kubectl get` asks.
    case table
    /// `PartialObjectMetadata` / `PartialObjectMetadataList`: metadata only.
    case partialMetadata

    /// The first range the server can serve wins; ranges it cannot serve (protobuf, YAML, a
    /// Table of an unknown version) are skipped. With none servable the plain JSON is sent
    /// rather than a 406, which some clients treat as fatal.
    init(accept: String?) {
        for range in MediaRange.parseList(accept) {
            guard range.acceptsJSON else { continue }
            switch range.parameters["as"] {
            case nil: self = .plain; return
            case "Table" where range.parameters["g"] == "meta.k8s.io" && ["v1", "v1beta1"].contains(range.parameters["v"] ?? ""):
                self = .table; return
            case "PartialObjectMetadata", "PartialObjectMetadataList":
                guard range.parameters["g"] == "meta.k8s.io" else { continue }
                self = .partialMetadata; return
            default: continue
            }
        }
        self = .plain
    }
}

/// Which discovery document shape `/api` and `/apis` answer with.
enum DiscoveryShape: Sendable, Equatable {
    case legacy
    /// `apidiscovery.k8s.io` `APIGroupDiscoveryList` at the version asked for (`v2`, `v2beta1`).
    case aggregated(version: String)

    init(accept: String?) {
        for range in MediaRange.parseList(accept) {
            guard range.acceptsJSON else { continue }
            if range.parameters["g"] == "apidiscovery.k8s.io", range.parameters["as"] == "APIGroupDiscoveryList",
               let version = range.parameters["v"], version == "v2" || version == "v2beta1" {
                self = .aggregated(version: version); return
            }
            if range.parameters["as"] == nil { self = .legacy; return }
        }
        self = .legacy
    }

    /// The exact Content-Type client-go matches to recognise aggregated discovery.
    static func contentType(version: String) -> String {
        "application/json;g=apidiscovery.k8s.io;v=\(version);as=APIGroupDiscoveryList"
    }
}
