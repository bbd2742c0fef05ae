/// One field whose value an apply would change while another manager owns it.
///
/// `field` uses Kubernetes' path syntax (`.spec.replicas`,
/// `.spec.template.spec.containers[name="c"].image`), which kubectl prints verbatim; `manager`
/// is the plain manager name. Equality compares those two only: `message` is a rendering of the
/// owner (operation, API version, time) for the Status cause and carries no identity.
public struct FieldManagerConflict: Sendable, Equatable, CustomStringConvertible {
    public var field: String
    public var manager: String
    /// `conflict with "kubectl-scale" using apps/v1`: the Status cause message Kubernetes sends.
    public var message: String

    public init(field: String, manager: String, message: String? = nil) {
        self.field = field
        self.manager = manager
        self.message = message ?? "conflict with \"\(manager)\""
    }

    public static func == (lhs: FieldManagerConflict, rhs: FieldManagerConflict) -> Bool {
        lhs.field == rhs.field && lhs.manager == rhs.manager
    }

    public var description: String { "\(message): \(field)" }
}

public enum ServerSideApplyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 409 Conflict with one `FieldManagerConflict` cause per entry, unless the client forces.
    case conflicts([FieldManagerConflict])
    /// 422/400: the configuration is not an applicable object (missing apiVersion, kind, name…).
    case invalid(String)

    /// The Status message Kubernetes sends (`Apply failed with 1 conflict: conflict with
    /// "kubectl-scale" using apps/v1: .spec.replicas`).
    public var message: String {
        switch self {
        case .invalid(let message):
            return message
        case .conflicts(let conflicts):
            let count = conflicts.count == 1 ? "1 conflict" : "\(conflicts.count) conflicts"
            var byOwner: [(owner: String, fields: [String])] = []
            for c in conflicts {
                if let i = byOwner.firstIndex(where: { $0.owner == c.message }) {
                    byOwner[i].fields.append(c.field)
                } else {
                    byOwner.append((c.message, [c.field]))
                }
            }
            let parts = byOwner.map { group -> String in
                if group.fields.count == 1 { return "\(group.owner): \(group.fields[0])" }
                let prefix = "conflict with"
                let owner = group.owner.hasPrefix(prefix) ? "conflicts with" + group.owner.dropFirst(prefix.count) : group.owner
                return owner + ":" + group.fields.map { "\n- \($0)" }.joined()
            }
            return "Apply failed with \(count): " + parts.joined(separator: "\n")
        }
    }

    public var description: String { message }
}
