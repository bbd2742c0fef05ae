import Foundation
import Yams

/// Writes, merges and removes kubeconfig entries. A user's kubeconfig is edited as a YAML tree,
/// not decoded into a struct, so keys skiff does not know (extensions, exec plugins, preferences)
/// survive untouched; only the three entries named like ours are replaced or removed.
/// Files are written atomically with mode 0600: they hold private keys. Comments in a merged
/// file are not preserved (the YAML library does not keep them).
public enum Kubeconfig {
    /// A complete kubeconfig holding only `entry`, selected as the current context.
    public static func render(_ entry: KubeconfigEntry) throws -> String {
        try merged(entry, into: nil, source: "new kubeconfig")
    }

    /// Writes a standalone kubeconfig for `entry` to `path` (replacing the file).
    public static func write(_ entry: KubeconfigEntry, to path: String) throws {
        try makeParentDirectory(of: path)
        try AtomicFile.write(render(entry), to: path, mode: 0o600)
    }

    /// Adds `entry` to the kubeconfig at `path` (created when absent), replacing entries of the
    /// same name, keeping all others, and optionally making it the current context.
    public static func merge(_ entry: KubeconfigEntry, into path: String, setCurrentContext: Bool = true) throws {
        let path = (path as NSString).resolvingSymlinksInPath
        try makeParentDirectory(of: path)
        try withKubectlLock(path) {
            let existing = try AtomicFile.readIfPresent(path)
            let text = try merged(entry, into: existing, source: path, setCurrentContext: setCurrentContext)
            try AtomicFile.write(text, to: path, mode: 0o600)
        }
    }

    /// Removes the cluster, user and context named `name` from the kubeconfig at `path`, and the
    /// current context when it pointed at them. Returns whether anything was removed.
    @discardableResult
    public static func remove(named name: String, from path: String) throws -> Bool {
        let path = (path as NSString).resolvingSymlinksInPath
        guard FileManager.default.fileExists(atPath: path) else { return false }
        return try withKubectlLock(path) {
            guard let existing = try AtomicFile.readIfPresent(path) else { return false }
            let (text, changed) = try removing(named: name, from: existing, source: path)
            guard changed else { return false }
            try AtomicFile.write(text, to: path, mode: 0o600)
            return true
        }
    }

    /// Holds `<path>.lock` the way kubectl's clientcmd does (created exclusively, removed
    /// afterwards), so a concurrent `kubectl config` edit and ours cannot lose each other's change.
    /// A lock left by a crashed writer is reported after a few seconds instead of being broken.
    static func withKubectlLock<T>(_ path: String, _ body: () throws -> T) throws -> T {
        let lockPath = path + ".lock"
        var attempts = 0
        while true {
            let fd = open(lockPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            if fd >= 0 {
                close(fd)
                break
            }
            guard errno == EEXIST else { throw PKIError.io(path: lockPath, operation: "create lock", errno: errno) }
            attempts += 1
            guard attempts < 50 else {
                throw PKIError.invalidInput("\(lockPath) exists: another process is editing the kubeconfig (remove the file if none is)")
            }
            usleep(100_000)
        }
        defer { unlink(lockPath) }
        return try body()
    }

    // MARK: - Pure transformations (text in, text out)

    static func merged(
        _ entry: KubeconfigEntry, into existing: String?, source: String, setCurrentContext: Bool = true
    ) throws -> String {
        var root = try document(existing, source: source)
        if root.string(for: "apiVersion") == nil { root.setValue("apiVersion", scalar("v1")) }
        if root.string(for: "kind") == nil { root.setValue("kind", scalar("Config")) }
        let cluster = mapping([
            ("server", scalar(entry.server)),
            ("certificate-authority-data", scalar(base64(entry.certificateAuthorityPEM))),
        ])
        let user: Node
        switch entry.credentials {
        case .clientCertificate(let certificatePEM, let keyPEM):
            user = mapping([
                ("client-certificate-data", scalar(base64(certificatePEM))),
                ("client-key-data", scalar(base64(keyPEM))),
            ])
        case .token(let token):
            user = mapping([("token", scalar(token))])
        }
        let context = mapping([("cluster", scalar(entry.name)), ("user", scalar(entry.name))])
        try root.replaceNamed("clusters", name: entry.name, with: mapping([("name", scalar(entry.name)), ("cluster", cluster)]), source: source)
        try root.replaceNamed("users", name: entry.name, with: mapping([("name", scalar(entry.name)), ("user", user)]), source: source)
        try root.replaceNamed("contexts", name: entry.name, with: mapping([("name", scalar(entry.name)), ("context", context)]), source: source)
        if setCurrentContext || root.string(for: "current-context")?.isEmpty != false {
            root.setValue("current-context", scalar(entry.name))
        }
        return try Yams.serialize(node: .mapping(root))
    }

    /// The new text and whether anything was removed.
    static func removing(named name: String, from existing: String, source: String) throws -> (String, Bool) {
        var root = try document(existing, source: source)
        var changed = false
        for list in ["clusters", "users", "contexts"] {
            changed = try root.removeNamed(list, name: name, source: source) || changed
        }
        if root.string(for: "current-context") == name {
            root.removeKey("current-context")
            changed = true
        }
        return (try Yams.serialize(node: .mapping(root)), changed)
    }

    // MARK: - Helpers

    static func document(_ text: String?, source: String) throws -> Node.Mapping {
        guard let text, !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            return Node.Mapping([])
        }
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            throw PKIError.corruptFile(path: source, reason: "not valid YAML: \(error)")
        }
        guard let node else { return Node.Mapping([]) }
        guard case .mapping(let mapping) = node else {
            throw PKIError.corruptFile(path: source, reason: "a kubeconfig must be a YAML mapping")
        }
        return mapping
    }

    static func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }

    static func mapping(_ pairs: [(String, Node)]) -> Node {
        Node(pairs.map { (scalar($0.0), $0.1) })
    }

    /// A string scalar that a YAML reader will read back as a string: anything that could be
    /// taken for a number, boolean or null, or that has YAML punctuation, is double-quoted.
    static func scalar(_ value: String) -> Node {
        let plain = Node(value)
        let safeCharacters = value.unicodeScalars.allSatisfy {
            CharacterSet.alphanumerics.contains($0) || "-_./+=@".unicodeScalars.contains($0)
        }
        let ambiguous = plain.bool != nil || plain.int != nil || plain.float != nil || plain.null != nil
        if !value.isEmpty, safeCharacters, !ambiguous, value.first?.isLetter == true {
            return plain
        }
        return Node(value, .implicit, .doubleQuoted)
    }

    static func makeParentDirectory(of path: String) throws {
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty, !FileManager.default.fileExists(atPath: parent) {
            try AtomicFile.makeDirectory(parent)
        }
    }
}

extension Node.Mapping {
    fileprivate func indexOfKey(_ key: String) -> Index? {
        firstIndex { $0.key.string == key }
    }

    fileprivate func string(for key: String) -> String? {
        indexOfKey(key).flatMap { self[$0].value.string }
    }

    fileprivate mutating func setValue(_ key: String, _ value: Node) {
        if let index = indexOfKey(key) {
            self[index] = (key: self[index].key, value: value)
        } else {
            self[key] = value
        }
    }

    fileprivate mutating func removeKey(_ key: String) {
        if let index = indexOfKey(key) { self[self[index].key] = nil }
    }

    /// The list under `key` (clusters, users, contexts); a missing or null one is empty.
    fileprivate func namedList(_ key: String, source: String) throws -> [Node] {
        guard let index = indexOfKey(key) else { return [] }
        switch self[index].value {
        case .sequence(let sequence): return Array(sequence)
        case .scalar(let scalar) where scalar.string.isEmpty || scalar.string == "null" || scalar.string == "~": return []
        default: throw PKIError.corruptFile(path: source, reason: "\"\(key)\" must be a list")
        }
    }

    fileprivate mutating func replaceNamed(_ key: String, name: String, with entry: Node, source: String) throws {
        var list = try namedList(key, source: source)
        // Replace in place (keeping the user's order); drop any further duplicates of the name.
        let position = list.firstIndex { $0["name"]?.string == name } ?? list.endIndex
        list.removeAll { $0["name"]?.string == name }
        list.insert(entry, at: Swift.min(position, list.endIndex))
        setValue(key, Node(list))
    }

    fileprivate mutating func removeNamed(_ key: String, name: String, source: String) throws -> Bool {
        let list = try namedList(key, source: source)
        let kept = list.filter { $0["name"]?.string != name }
        guard kept.count != list.count else { return false }
        setValue(key, Node(kept))
        return true
    }
}
