/// Field ownership (`metadata.managedFields`) for writes that are not server-side apply.
public enum ManagedFields {
    /// After any non-apply write (create/update/patch) by `manager`: an `Update` entry owning the
    /// fields it set or changed; other managers lose the fields it changed. Returns `new` with
    /// metadata.managedFields updated. Cheap: this runs on every write.
    public static func recordUpdate(old: JSONValue?, new: JSONValue, manager: String, subresource: String?,
                                    apiVersion: String, time: String, schema: Schema) -> JSONValue
    {
        new
    }
}
