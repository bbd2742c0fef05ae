/// Why a member could not start or keep running; each case names the file or flag at fault.
public enum NodeError: Error, CustomStringConvertible, Sendable {
    case invalidConfiguration(String)
    case corruptState(file: String, detail: String)
    case io(operation: String, path: String, detail: String)
    case joinFailed(String)
    case dataDirectoryInUse(path: String, holder: String)
    case removed
    case stopped

    public var description: String {
        switch self {
        case .invalidConfiguration(let detail): return "invalid configuration: \(detail)"
        case .corruptState(let file, let detail): return "corrupt state in \(file): \(detail)"
        case .io(let operation, let path, let detail): return "\(operation) \(path): \(detail)"
        case .joinFailed(let detail): return "cannot join the cluster: \(detail)"
        case .dataDirectoryInUse(let path, let holder):
            return "data directory \(path) is in use by \(holder) (another member is running on it)"
        case .removed: return "this member was removed from the cluster"
        case .stopped: return "the store member has stopped"
        }
    }
}
