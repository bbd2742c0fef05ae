/// A reference to an image in a registry, parsed the way docker and containerd parse it:
/// `[registry/]repository[:tag][@digest]`.
///
/// Normalisation follows docker: a first path component is a registry host only when it
/// contains `.` or `:` or is `localhost`; otherwise the default registry is used. For the
/// default registry `docker.io` a single-component repository gets the `library/` prefix
/// (`busybox` → `docker.io/library/busybox`); other default registries (e.g. a cluster's own
/// registry) take the repository as written (`busybox` → `registry.local:5000/busybox`).
/// With neither tag nor digest, the tag is `latest`. `description` prints the normalised form,
/// which parses back to the same value.
public struct ImageReference: Hashable, Sendable, CustomStringConvertible, Codable {
    /// The registry host, with port when one was given: `docker.io`, `localhost:5000`.
    public var registry: String
    /// The repository path inside the registry: `library/busybox`, `team/app`.
    public var repository: String
    /// The tag, if any. A reference with a digest may also carry a tag (the digest wins).
    public var tag: String?
    /// The manifest digest, if any.
    public var digest: Digest?

    public static let dockerHub = "docker.io"
    public static let defaultTag = "latest"

    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case empty
        case tooLong(String)
        case uppercase(String)
        case invalidRepository(String, reason: String)
        case invalidTag(String)
        case invalidRegistry(String)
        case invalidDigest(String, reason: String)

        public var description: String {
            switch self {
            case .empty: return "image reference is empty"
            case .tooLong(let s): return "image reference \"\(s)\": repository name longer than 255 characters"
            case .uppercase(let s): return "image reference \"\(s)\": repository name must be lowercase"
            case .invalidRepository(let s, let reason): return "image reference \"\(s)\": invalid repository name: \(reason)"
            case .invalidTag(let s): return "invalid tag \"\(s)\": a tag is 1–128 of [A-Za-z0-9_.-], not starting with . or -"
            case .invalidRegistry(let s): return "invalid registry host \"\(s)\""
            case .invalidDigest(let s, let reason): return "invalid digest \"\(s)\": \(reason)"
            }
        }
    }

    public init(registry: String, repository: String, tag: String? = nil, digest: Digest? = nil) {
        self.registry = registry
        self.repository = repository
        self.tag = tag
        self.digest = digest
    }

    /// Parses `string`; `defaultRegistry` is used when the reference names no registry.
    public init(parsing string: String, defaultRegistry: String = ImageReference.dockerHub) throws {
        guard !string.isEmpty else { throw ParseError.empty }
        var rest = Substring(string)
        var digest: Digest?
        if let at = rest.firstIndex(of: "@") {
            let d = String(rest[rest.index(after: at)...])
            do { digest = try Digest(parsing: d) } catch {
                throw ParseError.invalidDigest(d, reason: "\(error)")
            }
            rest = rest[..<at]
        }
        // A tag follows the last ':' that comes after the last '/' (a ':' before it is a port).
        var tag: String?
        let lastSlash = rest.lastIndex(of: "/")
        if let colon = rest.lastIndex(of: ":"), lastSlash.map({ colon > $0 }) ?? true {
            let t = String(rest[rest.index(after: colon)...])
            guard Self.isValidTag(t) else { throw ParseError.invalidTag(t) }
            tag = t
            rest = rest[..<colon]
        }
        guard !rest.isEmpty else { throw ParseError.invalidRepository(string, reason: "no repository name") }

        var registry = defaultRegistry
        var path = String(rest)
        if let slash = rest.firstIndex(of: "/") {
            let first = rest[..<slash]
            if first.contains(".") || first.contains(":") || first == "localhost" {
                registry = String(first)
                path = String(rest[rest.index(after: slash)...])
                guard Self.isValidRegistry(registry) else { throw ParseError.invalidRegistry(registry) }
            }
        }
        if registry == "index.docker.io" { registry = Self.dockerHub }
        if registry == Self.dockerHub && !path.contains("/") { path = "library/" + path }

        guard path.utf8.count + registry.utf8.count + 1 <= 255 else { throw ParseError.tooLong(string) }
        if path.contains(where: { $0.isUppercase }) { throw ParseError.uppercase(string) }
        if let reason = Self.repositoryProblem(path) { throw ParseError.invalidRepository(string, reason: reason) }

        self.registry = registry
        self.repository = path
        self.digest = digest
        self.tag = tag ?? (digest == nil ? Self.defaultTag : nil)
    }

    /// `registry/repository[:tag][@digest]`.
    public var description: String {
        var s = "\(registry)/\(repository)"
        if let tag { s += ":\(tag)" }
        if let digest { s += "@\(digest)" }
        return s
    }

    /// `registry/repository`, without tag or digest.
    public var name: String { "\(registry)/\(repository)" }

    /// What to ask a registry's manifest endpoint for: the digest when known, else the tag.
    public var manifestReference: String { digest?.description ?? tag ?? Self.defaultTag }

    /// This reference with another tag and no digest.
    public func withTag(_ tag: String) -> ImageReference {
        ImageReference(registry: registry, repository: repository, tag: tag, digest: nil)
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        let s = try c.decode(String.self)
        do { try self.init(parsing: s) } catch {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "\(error)")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }

    // MARK: grammar

    /// `[\w][\w.-]{0,127}`
    public static func isValidTag(_ t: String) -> Bool {
        let u = Array(t.utf8)
        guard !u.isEmpty, u.count <= 128 else { return false }
        func word(_ c: UInt8) -> Bool { isAlnum(c) || c == UInt8(ascii: "_") }
        guard word(u[0]) else { return false }
        return u.allSatisfy { word($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
    }

    private static func isAlnum(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a)
    }

    /// A host name (labels of alphanumerics and '-'), an IPv4 address, or a bracketed IPv6
    /// address, optionally followed by `:port`.
    static func isValidRegistry(_ r: String) -> Bool {
        var host = Substring(r)
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return false }
            let after = host[host.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":"), let p = Int(after.dropFirst()), (0...65535).contains(p) else { return false }
            }
            return host[host.index(after: host.startIndex)..<close].allSatisfy { $0.isHexDigit || $0 == ":" }
        }
        if let colon = host.lastIndex(of: ":") {
            guard let p = Int(host[host.index(after: colon)...]), (0...65535).contains(p) else { return false }
            host = host[..<colon]
        }
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        return !labels.isEmpty && labels.allSatisfy { l in
            !l.isEmpty && l.first != "-" && l.last != "-" && l.utf8.allSatisfy { isAlnum($0) || $0 == UInt8(ascii: "-") }
        }
    }

    /// nil when `path` is `component(/component)*` with components `[a-z0-9]+(sep[a-z0-9]+)*`,
    /// sep being `.`, `_`, `__` or one or more `-`; otherwise a description of the problem.
    static func repositoryProblem(_ path: String) -> String? {
        for component in path.split(separator: "/", omittingEmptySubsequences: false) {
            guard !component.isEmpty else { return "empty path component" }
            let u = Array(component.utf8)
            func lower(_ c: UInt8) -> Bool { (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a) }
            guard lower(u[0]), lower(u[u.count - 1]) else {
                return "component \"\(component)\" must start and end with a lowercase letter or digit"
            }
            var i = 0
            while i < u.count {
                if lower(u[i]) { i += 1; continue }
                var j = i
                while j < u.count && !lower(u[j]) { j += 1 }
                let sep = String(decoding: u[i..<j], as: UTF8.self)
                let ok = sep == "." || sep == "_" || sep == "__" || sep.allSatisfy { $0 == "-" }
                guard ok else { return "component \"\(component)\" has invalid separator \"\(sep)\"" }
                i = j
            }
        }
        return nil
    }
}
