/// A set of field paths as a trie: the model behind `managedFields[].fieldsV1`.
///
/// Path elements are kept in their FieldsV1 spelling (`f:spec`, `k:{"name":"c"}`,
/// `v:"finalizer"`, `i:0`), so decoding and encoding a stored entry is a plain tree copy and
/// matching an element against an object needs only the element string of the object's member.
/// `isMember` is FieldsV1's `.`: the path itself is in the set (a leaf, or an owned list item or
/// map), as opposed to being only an ancestor of members.
struct FieldSet: Sendable, Equatable {
    var isMember = false
    var children: [String: FieldSet] = [:]

    init() {}

    var isEmpty: Bool { !isMember && children.isEmpty }

    /// Adds `path` as a member.
    mutating func insert<C: Collection>(_ path: C) where C.Element == String {
        guard let first = path.first else {
            isMember = true
            return
        }
        children[first, default: FieldSet()].insert(path.dropFirst())
    }

    /// The node at `path`, if the set has members at or below it.
    func node<C: Collection>(at path: C) -> FieldSet? where C.Element == String {
        guard let first = path.first else { return self }
        return children[first]?.node(at: path.dropFirst())
    }

    func contains<C: Collection>(_ path: C) -> Bool where C.Element == String {
        node(at: path)?.isMember ?? false
    }

    /// Adds every member of `other`.
    mutating func formUnion(_ other: FieldSet) {
        if other.isMember { isMember = true }
        for (element, child) in other.children {
            children[element, default: FieldSet()].formUnion(child)
        }
    }

    /// Removes every member of `other` (exact paths; descendants of a removed member that are
    /// not themselves members of `other` stay).
    mutating func subtract(_ other: FieldSet) {
        if other.isMember { isMember = false }
        for (element, otherChild) in other.children {
            guard var child = children[element] else { continue }
            child.subtract(otherChild)
            children[element] = child.isEmpty ? nil : child
        }
    }

    /// Removes every member of `other` together with everything below it: what removing a
    /// field from an object does to the sets that owned parts of it.
    mutating func subtractSubtrees(_ other: FieldSet) {
        for (element, otherChild) in other.children {
            guard var child = children[element] else { continue }
            if otherChild.isMember {
                children[element] = nil
                continue
            }
            child.subtractSubtrees(otherChild)
            children[element] = child.isEmpty ? nil : child
        }
    }

    /// The members in both sets.
    func intersection(_ other: FieldSet) -> FieldSet {
        var result = FieldSet()
        result.isMember = isMember && other.isMember
        for (element, child) in children {
            guard let otherChild = other.children[element] else { continue }
            let both = child.intersection(otherChild)
            if !both.isEmpty { result.children[element] = both }
        }
        return result
    }

    /// Every member path, in FieldsV1 order.
    func members() -> [[String]] {
        var out: [[String]] = []
        var prefix: [String] = []
        collectMembers(into: &out, prefix: &prefix)
        return out
    }

    private func collectMembers(into out: inout [[String]], prefix: inout [String]) {
        if isMember { out.append(prefix) }
        for element in children.keys.sorted(by: FieldPathElement.precedes) {
            prefix.append(element)
            children[element]?.collectMembers(into: &out, prefix: &prefix)
            prefix.removeLast()
        }
    }
}

extension FieldSet {
    /// Decodes a `fieldsV1` tree: `{}` is a member; `.` marks a member that also has children.
    /// Anything that is not an object decodes as the empty set.
    init(fieldsV1: JSONValue) {
        self.init()
        guard case .object(let object) = fieldsV1 else { return }
        for (element, value) in object {
            guard element != "." else { continue }
            var child = FieldSet(fieldsV1: value)
            if case .object(let o) = value, o.isEmpty || o.contains(".") { child.isMember = true }
            children[element] = child
        }
    }

    /// The `fieldsV1` tree, children sorted as Kubernetes writes them (`.` first, then fields,
    /// keys, values and indices).
    var fieldsV1: JSONValue {
        var object = JSONObject()
        for element in children.keys.sorted(by: FieldPathElement.precedes) {
            guard let child = children[element] else { continue }
            object.appendUnchecked(element, child.memberValue)
        }
        return .object(object)
    }

    /// How this node is spelled under its parent's element.
    private var memberValue: JSONValue {
        var object = JSONObject()
        if isMember, !children.isEmpty { object.appendUnchecked(".", .emptyObject) }
        for element in children.keys.sorted(by: FieldPathElement.precedes) {
            guard let child = children[element] else { continue }
            object.appendUnchecked(element, child.memberValue)
        }
        return .object(object)
    }
}
