/// Why a sandbox could not be set up or torn down.
public enum SandboxError: Error, Sendable, CustomStringConvertible {
    /// `setUp` before the node has a pod CIDR.
    case noPodCIDR
    case invalidRequest(String)
    /// A CNI plugin failed or is missing.
    case cni(String)

    public var description: String {
        switch self {
        case .noPodCIDR: return "the node has no pod CIDR yet (spec.podCIDR or the configured one)"
        case .invalidRequest(let message): return "invalid sandbox request: \(message)"
        case .cni(let message): return message
        }
    }
}
