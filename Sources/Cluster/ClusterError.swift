/// Why the server could not start; each case says what to change.
public enum ClusterError: Error, Sendable, CustomStringConvertible {
    case invalidOption(String)
    case startup(String)

    public var description: String {
        switch self {
        case .invalidOption(let message): message
        case .startup(let message): message
        }
    }
}
