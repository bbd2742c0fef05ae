/// Validation of the names the distribution-spec lets a client use in a URL.
///
/// Names become directory paths on disk, so the grammar is checked by hand, byte by byte,
/// before any path is built: a valid name can never contain `..`, a leading `/`, or a
/// component starting with `_` (which the storage layout reserves for its own directories).
enum RepositoryName {
    /// The longest name accepted; the spec leaves the limit to the registry, and 255 is what
    /// clients that put `host/name` into a single string assume.
    static let maximumLength = 255

    /// Whether `name` matches
    /// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*`.
    static func isValid(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard !bytes.isEmpty, bytes.count <= maximumLength else { return false }
        var component: [UInt8] = []
        for byte in bytes {
            if byte == UInt8(ascii: "/") {
                guard isValidComponent(component) else { return false }
                component.removeAll(keepingCapacity: true)
            } else {
                component.append(byte)
            }
        }
        return isValidComponent(component)
    }

    /// One path component: alphanumeric runs joined by `.`, `_`, `__` or one or more `-`.
    static func isValidComponent(_ bytes: [UInt8]) -> Bool {
        guard let first = bytes.first, let last = bytes.last, isAlphanumeric(first), isAlphanumeric(last) else {
            return false
        }
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if isAlphanumeric(byte) { index += 1; continue }
            // A separator run: `.`, `_`, `__`, or `-+`.
            var end = index
            while end < bytes.count, !isAlphanumeric(bytes[end]) { end += 1 }
            let separator = bytes[index..<end]
            let allDashes = separator.allSatisfy { $0 == UInt8(ascii: "-") }
            let valid = allDashes
                || separator.elementsEqual([UInt8(ascii: ".")])
                || separator.elementsEqual([UInt8(ascii: "_")])
                || separator.elementsEqual([UInt8(ascii: "_"), UInt8(ascii: "_")])
            guard valid else { return false }
            index = end
        }
        return true
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }
}

/// Validation of tags: `[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}` (distribution-spec "Pulling manifests").
enum TagName {
    static func isValid(_ tag: String) -> Bool {
        let bytes = Array(tag.utf8)
        guard let first = bytes.first, bytes.count <= 128 else { return false }
        func word(_ b: UInt8) -> Bool {
            (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
                || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: "_")
        }
        guard word(first) else { return false }
        return bytes.dropFirst().allSatisfy { word($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
    }
}
