/// Field ownership (`metadata.managedFields`) for writes that are not server-side apply.
///
/// Kubernetes' rule for create, update and non-apply patches: the writer takes ownership of
/// every field it added or changed (as an `Update` entry per manager and subresource), other
/// managers lose those fields, and fields the write removed leave every set. Nothing is ever
/// refused — only apply reports conflicts.
public enum ManagedFields {
    /// After any non-apply write (create/update/patch) by `manager`: an `Update` entry owning the
    /// fields it set or changed; other managers lose the fields it changed. Returns `new` with
    /// metadata.managedFields updated. Cheap: this runs on every write — one walk over both
    /// objects plus decoding and re-encoding the (small) entry trees.
    ///
    /// Entries come from `new` when the client sent a different, non-empty list (a deliberate
    /// edit of managedFields; a list of only empty entries such as `[{}]` strips the member),
    /// otherwise from `old`. Writes through a subresource always keep the stored entries.
    public static func recordUpdate(old: JSONValue?, new: JSONValue, manager: String, subresource: String?,
                                    apiVersion: String, time: String, schema: Schema) -> JSONValue
    {
        guard new.objectValue != nil else { return new }
        let oldList = ManagerEntries.list(of: old)
        var entries = ManagerEntries.decode(oldList)
        if subresource == nil, case .array(let supplied)? = ManagerEntries.list(of: new), !supplied.isEmpty,
           ManagerEntries.list(of: new) != oldList
        {
            if supplied.allSatisfy(isBlankEntry) {
                return ManagerEntries.write([], into: new)
            }
            let decoded = ManagerEntries.decode(.array(supplied))
            if !decoded.isEmpty { entries = decoded }
        }

        let diff = FieldSetBuilder.diff(old: old.map { ManagedScope.trackedPart(of: $0, subresource: subresource) },
                                        new: ManagedScope.trackedPart(of: new, subresource: subresource),
                                        schema: schema)
        record(diff, in: &entries, manager: manager, operation: ManagerEntry.update, subresource: subresource,
               apiVersion: apiVersion, time: time)
        return ManagerEntries.write(entries, into: new)
    }

    /// Applies a write's diff to the entries: removed subtrees leave every set, changed fields
    /// leave the other owners and join the writer's entry (created when needed).
    static func record(_ diff: FieldSetBuilder.Diff, in entries: inout [ManagerEntry], manager: String,
                       operation: String, subresource: String?, apiVersion: String, time: String)
    {
        var mine: Int?
        for i in entries.indices {
            entries[i].fields.subtractSubtrees(diff.removed)
            if entries[i].isOwner(manager, operation: operation, subresource: subresource) {
                mine = i
            } else if !diff.changed.isEmpty {
                entries[i].fields.subtract(diff.changed)
            }
        }
        guard !diff.changed.isEmpty else { return }
        if let mine {
            entries[mine].fields.formUnion(diff.changed)
            entries[mine].apiVersion = apiVersion
            entries[mine].time = time
        } else {
            entries.append(ManagerEntry(manager: manager, operation: operation, apiVersion: apiVersion, time: time,
                                        subresource: subresource, fields: diff.changed))
        }
    }

    /// `{}` or an entry without fields: what clients send to reset managedFields.
    private static func isBlankEntry(_ value: JSONValue) -> Bool {
        guard case .object(let o) = value else { return false }
        return FieldSet(fieldsV1: o["fieldsV1"] ?? .emptyObject).isEmpty
    }
}
