import Foundation

/// Kubernetes' name and label rules (k8s.io/apimachinery/pkg/util/validation), with its wording
/// so that users see the messages they would see against a real cluster.
public enum Names {
    static let dns1123LabelMessage = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
    static let dns1123SubdomainMessage = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
    static let dns1035LabelMessage = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
    static let qualifiedNameMessage = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
    static let labelValueMessage = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
    static let configKeyMessage = "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"

    @inline(__always) static func isLowerAlnum(_ b: UInt8) -> Bool { (b >= 97 && b <= 122) || (b >= 48 && b <= 57) }
    @inline(__always) static func isAlnum(_ b: UInt8) -> Bool { isLowerAlnum(b) || (b >= 65 && b <= 90) }

    /// `[a-z0-9]([-a-z0-9]*[a-z0-9])?`, at most 63 characters.
    public static func dns1123LabelErrors(_ s: String) -> [String] {
        var errors: [String] = []
        if s.utf8.count > 63 { errors.append("must be no more than 63 characters") }
        if !isDNS1123LabelSyntax(Array(s.utf8)) { errors.append(dns1123LabelMessage) }
        return errors
    }

    static func isDNS1123LabelSyntax(_ b: [UInt8]) -> Bool {
        guard let first = b.first, let last = b.last, isLowerAlnum(first), isLowerAlnum(last) else { return false }
        return b.allSatisfy { isLowerAlnum($0) || $0 == 45 }
    }

    /// Labels separated by dots, at most 253 characters.
    public static func dns1123SubdomainErrors(_ s: String) -> [String] {
        var errors: [String] = []
        if s.utf8.count > 253 { errors.append("must be no more than 253 characters") }
        let parts = s.utf8.split(separator: 46, omittingEmptySubsequences: false)
        if s.isEmpty || !parts.allSatisfy({ isDNS1123LabelSyntax(Array($0)) }) { errors.append(dns1123SubdomainMessage) }
        return errors
    }

    /// `[a-z]([-a-z0-9]*[a-z0-9])?`, at most 63 characters (Service names).
    public static func dns1035LabelErrors(_ s: String) -> [String] {
        var errors: [String] = []
        if s.utf8.count > 63 { errors.append("must be no more than 63 characters") }
        let b = Array(s.utf8)
        if !(isDNS1123LabelSyntax(b) && b[0] >= 97 && b[0] <= 122) { errors.append(dns1035LabelMessage) }
        return errors
    }

    static func isQualifiedNamePart(_ b: [UInt8]) -> Bool {
        guard let first = b.first, let last = b.last, isAlnum(first), isAlnum(last) else { return false }
        return b.allSatisfy { isAlnum($0) || $0 == 45 || $0 == 95 || $0 == 46 }
    }

    /// A label or annotation key: an optional DNS-subdomain prefix and `/`, then a name of at most 63.
    public static func qualifiedNameErrors(_ s: String) -> [String] {
        var errors: [String] = []
        let parts = s.split(separator: "/", omittingEmptySubsequences: false)
        var name = s
        if parts.count == 2 {
            let prefix = String(parts[0])
            name = String(parts[1])
            if prefix.isEmpty {
                errors.append("prefix part must be non-empty")
            } else {
                errors += dns1123SubdomainErrors(prefix).map { "prefix part " + $0 }
            }
        } else if parts.count > 2 {
            return [qualifiedNameMessage.replacingFirst("name part ", with: "a qualified name ") + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"]
        }
        if name.isEmpty {
            errors.append("name part must be non-empty")
        } else if name.utf8.count > 63 {
            errors.append("name part must be no more than 63 characters")
        }
        if !name.isEmpty, !isQualifiedNamePart(Array(name.utf8)) { errors.append(qualifiedNameMessage) }
        return errors
    }

    public static func labelValueErrors(_ s: String) -> [String] {
        var errors: [String] = []
        if s.utf8.count > 63 { errors.append("must be no more than 63 characters") }
        if !s.isEmpty, !isQualifiedNamePart(Array(s.utf8)) { errors.append(labelValueMessage) }
        return errors
    }

    public static func configKeyErrors(_ s: String) -> [String] {
        var errors: [String] = []
        if s.utf8.count > 253 { errors.append("must be no more than 253 characters") }
        if s.isEmpty || !s.utf8.allSatisfy({ isAlnum($0) || $0 == 45 || $0 == 95 || $0 == 46 }) { errors.append(configKeyMessage) }
        if s == "." || s == ".." { errors.append("must not be '\(s)'") }
        if s.hasPrefix("..") { errors.append("must not start with '..'") }
        return errors
    }

    /// IANA_SVC_NAME: at most 15 characters, lowercase alphanumerics and '-', at least one letter,
    /// no leading/trailing or double '-'.
    public static func portNameErrors(_ s: String) -> [String] {
        var errors: [String] = []
        let b = Array(s.utf8)
        if b.count > 15 { errors.append("must be no more than 15 characters") }
        if !b.allSatisfy({ isLowerAlnum($0) || $0 == 45 }) {
            errors.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
        }
        if s.contains("--") { errors.append("must not contain consecutive hyphens") }
        if !b.contains(where: { $0 >= 97 && $0 <= 122 }) { errors.append("must contain at least one letter (a-z)") }
        if s.hasPrefix("-") || s.hasSuffix("-") { errors.append("must not begin or end with a hyphen") }
        return errors
    }

    /// IPv4 or IPv6 literal.
    public static func isIP(_ s: String) -> Bool { isIPv4(s) || isIPv6(s) }

    public static func isIPv4(_ s: String) -> Bool {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return false }
        return parts.allSatisfy { p in
            guard !p.isEmpty, p.count <= 3, p.allSatisfy(\.isASCII), let v = Int(p), v <= 255 else { return false }
            return !(p.count > 1 && p.hasPrefix("0"))
        }
    }

    public static func isIPv6(_ s: String) -> Bool {
        guard s.contains(":"), s.utf8.count <= 45 else { return false }
        var text = Substring(s)
        var groupsAvailable = 8
        if let lastColon = text.lastIndex(of: ":"), text[text.index(after: lastColon)...].contains(".") {
            guard isIPv4(String(text[text.index(after: lastColon)...])) else { return false }
            text = text[...lastColon]
            if text.hasSuffix(":") && !text.hasSuffix("::") { text = text.dropLast() }
            groupsAvailable = 6
        }
        let halves = text.components(separatedByString: "::")
        guard halves.count <= 2 else { return false }
        func groups(_ h: Substring) -> [Substring]? {
            if h.isEmpty { return [] }
            let g = h.split(separator: ":", omittingEmptySubsequences: false)
            guard g.allSatisfy({ !$0.isEmpty && $0.count <= 4 && $0.allSatisfy(\.isHexDigit) }) else { return nil }
            return g
        }
        guard let first = groups(halves[0]) else { return false }
        if halves.count == 2 {
            guard let second = groups(halves[1]) else { return false }
            return first.count + second.count < groupsAvailable
        }
        return first.count == groupsAvailable
    }
}

extension String {
    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let r = range(of: target) else { return self }
        return replacingCharacters(in: r, with: replacement)
    }
}

extension Substring {
    func components(separatedByString separator: String) -> [Substring] {
        var result: [Substring] = []
        var rest = self[...]
        while let r = rest.range(of: separator) {
            result.append(rest[..<r.lowerBound])
            rest = rest[r.upperBound...]
        }
        result.append(rest)
        return result
    }
}
