/// Builds apiserver URLs from a `ResourceRef`, so no component spells a path by hand.
enum APIPaths {
    /// `/api/v1` or `/apis/<group>/<version>`.
    static func groupVersionPrefix(_ resource: ResourceRef) -> String {
        resource.group.isEmpty ? "/api/\(resource.version)" : "/apis/\(resource.group)/\(resource.version)"
    }

    /// The collection (`…/namespaces/<ns>/<plural>`, or cluster-wide `…/<plural>`), an object
    /// (`…/<plural>/<name>`) or one of its subresources (`…/<name>/<subresource>`).
    static func path(_ resource: ResourceRef, namespace: String?, name: String? = nil, subresource: String? = nil) -> String {
        var path = groupVersionPrefix(resource)
        if resource.namespaced, let namespace, !namespace.isEmpty {
            path += "/namespaces/" + escapeSegment(namespace)
        }
        path += "/" + resource.plural
        if let name {
            path += "/" + escapeSegment(name)
            if let subresource, !subresource.isEmpty { path += "/" + subresource }
        }
        return path
    }

    /// `path?k=v&…` with every value percent-encoded (selectors carry `=`, `,`, `!`, spaces).
    static func withQuery(_ path: String, _ items: [(String, String)]) -> String {
        guard !items.isEmpty else { return path }
        return path + "?" + items.map { "\($0.0)=\(escapeQueryValue($0.1))" }.joined(separator: "&")
    }

    /// The query items of list, watch and deleteCollection.
    static func listQuery(_ options: ListOptions, watch: Bool = false) -> [(String, String)] {
        var items: [(String, String)] = []
        if watch { items.append(("watch", "1")) }
        if let labelSelector = options.labelSelector, !labelSelector.isEmpty { items.append(("labelSelector", labelSelector)) }
        if let fieldSelector = options.fieldSelector, !fieldSelector.isEmpty { items.append(("fieldSelector", fieldSelector)) }
        if let resourceVersion = options.resourceVersion { items.append(("resourceVersion", resourceVersion)) }
        if let match = options.resourceVersionMatch { items.append(("resourceVersionMatch", match)) }
        if let limit = options.limit { items.append(("limit", String(limit))) }
        if let token = options.continueToken, !token.isEmpty { items.append(("continue", token)) }
        if let timeout = options.timeoutSeconds { items.append(("timeoutSeconds", String(timeout))) }
        if options.allowWatchBookmarks { items.append(("allowWatchBookmarks", "true")) }
        return items
    }

    /// RFC 3986 unreserved characters pass; everything else is `%XX`.
    static func escapeQueryValue(_ value: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(value.utf8.count)
        for byte in value.utf8 {
            if isUnreserved(byte) {
                escaped.unicodeScalars.append(UnicodeScalar(byte))
            } else {
                escaped += "%" + hex(byte)
            }
        }
        return escaped
    }

    /// Names are DNS labels in practice; anything else is escaped rather than trusted.
    static func escapeSegment(_ value: String) -> String {
        if value.utf8.allSatisfy({ isUnreserved($0) || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: "@") }) { return value }
        return escapeQueryValue(value)
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        return String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]], as: UTF8.self)
    }
}
