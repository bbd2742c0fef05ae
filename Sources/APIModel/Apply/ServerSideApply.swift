/// Server-side apply (`application/apply-patch+yaml`): merges a manager's full intent into the
/// live object and records that intent as the manager's `Apply` entry in managedFields.
///
/// The rules (Kubernetes' structured-merge-diff semantics):
/// - every field in the configuration is set; associative lists merge by key, maps and structs
///   by member, atomic values are replaced;
/// - a field whose value would change while another manager owns it is a conflict, reported
///   for every such (field, manager) pair, unless `force` — then ownership moves to the applier;
///   a field set to the value it already has becomes shared;
/// - fields the applier specified last time and leaves out now are removed, unless another
///   manager owns them (or something below them);
/// - the applier's `Apply` entry becomes exactly the configuration's field set.
public enum ServerSideApply {
    /// The manager that owns everything of an object that never had managedFields, so that the
    /// first applier meets conflicts instead of silently taking over.
    public static let beforeFirstApplyManager = "before-first-apply"

    /// `application/apply-patch+yaml`: merge `config` into `live` (nil → create), own its fields as
    /// an `Apply` entry, remove fields this manager applied before and dropped now (unless another
    /// manager owns them), conflicts unless `force`.
    ///
    /// `subresource` is `"status"` for applies to `/status` (only status and metadata count);
    /// otherwise a configuration's `status` is ignored, as the main resource cannot change it.
    /// The result still needs defaulting and validation; `metadata.managedFields` in `config`
    /// is ignored.
    public static func apply(_ config: JSONValue, to live: JSONValue?, manager: String, force: Bool,
                             schema: Schema, apiVersion: String, time: String,
                             subresource: String? = nil) throws -> JSONValue
    {
        let config = try applicableConfiguration(config, subresource: subresource)
        let configSet = FieldSetBuilder.fields(of: ManagedScope.trackedPart(of: config, subresource: subresource),
                                               schema: schema)

        var entries = ManagerEntries.decode(ManagerEntries.list(of: live))
        if let live, entries.isEmpty {
            let owned = FieldSetBuilder.fields(of: ManagedScope.trackedPart(of: live, subresource: subresource),
                                               schema: schema)
            entries.append(ManagerEntry(manager: beforeFirstApplyManager, operation: ManagerEntry.update,
                                        apiVersion: apiVersion, time: time, subresource: nil, fields: owned))
        }
        let liveObject = live ?? .emptyObject
        var merged = ApplyMerge.merge(liveObject, config, schema: schema)

        // Conflicts: fields this apply changes that another entry owns.
        let diff = FieldSetBuilder.diff(old: ManagedScope.trackedPart(of: liveObject, subresource: subresource),
                                        new: ManagedScope.trackedPart(of: merged, subresource: subresource),
                                        schema: schema)
        let mine = entries.firstIndex { $0.isOwner(manager, operation: ManagerEntry.apply, subresource: subresource) }
        var conflicts: [FieldManagerConflict] = []
        if !diff.changed.isEmpty {
            for i in entries.indices where i != mine {
                let overlap = entries[i].fields.intersection(diff.changed)
                guard !overlap.isEmpty else { continue }
                let message = "conflict with " + entries[i].ownerDescription
                for path in overlap.members() {
                    conflicts.append(FieldManagerConflict(field: FieldPathElement.render(path), manager: entries[i].manager,
                                                          message: message))
                }
                if force { entries[i].fields.subtract(overlap) }
            }
        }
        if !conflicts.isEmpty, !force { throw ServerSideApplyError.conflicts(conflicts) }

        // Prune what this manager applied before and no longer specifies.
        if let mine {
            var removal = entries[mine].fields
            removal.subtract(configSet)
            if !removal.isEmpty {
                var keep = FieldSet()
                for i in entries.indices where i != mine { keep.formUnion(entries[i].fields) }
                ApplyMerge.prune(&merged, removal: removal, keep: keep, schema: schema)
            }
        }

        // A repeated apply that changes nothing keeps its entry as it was, so that the stored
        // object stays byte-identical (no new resourceVersion, no watch event).
        if let mine, entries[mine].fields == configSet, merged == liveObject {
            return merged
        }
        let entry = ManagerEntry(manager: manager, operation: ManagerEntry.apply, apiVersion: apiVersion, time: time,
                                 subresource: subresource, fields: configSet)
        if let mine { entries[mine] = entry } else { entries.append(entry) }
        return ManagerEntries.write(entries, into: merged)
    }

    /// Checks the envelope and drops what an apply cannot set: managedFields, and the half of
    /// the object that belongs to the other endpoint (status, or everything but status).
    static func applicableConfiguration(_ config: JSONValue, subresource: String?) throws -> JSONValue {
        guard case .object(var object) = config else {
            throw ServerSideApplyError.invalid("apply configuration must be a JSON or YAML object, got \(config.typeName)")
        }
        guard let apiVersion = object["apiVersion"]?.stringValue, !apiVersion.isEmpty else {
            throw ServerSideApplyError.invalid("apiVersion must be set in an apply configuration")
        }
        guard let kind = object["kind"]?.stringValue, !kind.isEmpty else {
            throw ServerSideApplyError.invalid("kind must be set in an apply configuration")
        }
        guard case .object(var metadata)? = object["metadata"], let name = metadata["name"]?.stringValue,
              !name.isEmpty
        else {
            throw ServerSideApplyError.invalid("metadata.name must be set in an apply configuration")
        }
        metadata.removeValue(forKey: "managedFields")
        object["metadata"] = .object(metadata)
        if subresource == "status" {
            for key in object.keys where !["apiVersion", "kind", "metadata", "status"].contains(key) {
                object.removeValue(forKey: key)
            }
        } else {
            object.removeValue(forKey: "status")
        }
        return .object(object)
    }
}
