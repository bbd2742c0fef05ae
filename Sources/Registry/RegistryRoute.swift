/// The endpoint a request path names, per the distribution-spec's URL table.
///
/// Repository names contain slashes, so paths are matched from the end: the trailing
/// components (`manifests/<ref>`, `blobs/<digest>`, `blobs/uploads/<id>`, `tags/list`,
/// `referrers/<digest>`) are fixed, and everything before them is the name.
enum RegistryRoute: Equatable, Sendable {
    case base
    case catalog
    case blob(name: String, digest: String)
    case uploads(name: String)
    case upload(name: String, id: String)
    case manifest(name: String, reference: String)
    case tags(name: String)
    case referrers(name: String, digest: String)

    /// The route for `path`, or nil when it is not a registry URL.
    init?(path: String) {
        guard path == "/v2" || path.hasPrefix("/v2/") else { return nil }
        let rest = path.dropFirst(path == "/v2" ? 3 : 4)
        if rest.isEmpty { self = .base; return }
        if rest == "_catalog" { self = .catalog; return }
        let parts = rest.split(separator: "/", omittingEmptySubsequences: false).map { Self.percentDecoded($0) }
        let n = parts.count
        func name(dropping k: Int) -> String? {
            let head = parts[0..<(n - k)]
            guard !head.isEmpty else { return nil }
            return head.joined(separator: "/")
        }
        if n >= 3, parts[n - 2] == "tags", parts[n - 1] == "list", let name = name(dropping: 2) {
            self = .tags(name: name)
        } else if n >= 4, parts[n - 3] == "blobs", parts[n - 2] == "uploads", let name = name(dropping: 3) {
            self = parts[n - 1].isEmpty ? .uploads(name: name) : .upload(name: name, id: parts[n - 1])
        } else if n >= 3, parts[n - 2] == "blobs", parts[n - 1] == "uploads", let name = name(dropping: 2) {
            self = .uploads(name: name)
        } else if n >= 3, parts[n - 2] == "blobs", !parts[n - 1].isEmpty, let name = name(dropping: 2) {
            self = .blob(name: name, digest: parts[n - 1])
        } else if n >= 3, parts[n - 2] == "manifests", !parts[n - 1].isEmpty, let name = name(dropping: 2) {
            self = .manifest(name: name, reference: parts[n - 1])
        } else if n >= 3, parts[n - 2] == "referrers", !parts[n - 1].isEmpty, let name = name(dropping: 2) {
            self = .referrers(name: name, digest: parts[n - 1])
        } else {
            return nil
        }
    }

    /// The repository the route is about, if any.
    var repositoryName: String? {
        switch self {
        case .base, .catalog: return nil
        case .blob(let name, _), .uploads(let name), .upload(let name, _), .manifest(let name, _),
             .tags(let name), .referrers(let name, _):
            return name
        }
    }

    /// `%3A` → `:` (clients may escape the colon of a digest); invalid escapes stay as they are.
    static func percentDecoded(_ part: Substring) -> String {
        guard part.contains("%") else { return String(part) }
        var bytes: [UInt8] = []
        var utf8 = Array(part.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%"), utf8.count >= 2,
               let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(value)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
