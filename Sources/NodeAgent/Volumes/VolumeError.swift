/// Why a pod's volume could not be prepared. The kubelet reports it on the pod and retries.
public enum VolumeError: Error, Sendable, CustomStringConvertible {
    /// A ConfigMap, Secret, key or PVC the volume needs does not exist (yet).
    case missing(volume: String, what: String)
    /// The PersistentVolumeClaim is not bound and this node cannot provision it.
    case claimNotBound(volume: String, claim: String, reason: String)
    /// The spec asks for something invalid (a path leaving the volume, a bad hostPath type…).
    case invalid(volume: String, reason: String)
    case unsupported(volume: String, kind: String)

    public var description: String {
        switch self {
        case .missing(let volume, let what): return "volume \"\(volume)\": \(what) not found"
        case .claimNotBound(let volume, let claim, let reason):
            return "volume \"\(volume)\": PersistentVolumeClaim \(claim) is not bound: \(reason)"
        case .invalid(let volume, let reason): return "volume \"\(volume)\": \(reason)"
        case .unsupported(let volume, let kind): return "volume \"\(volume)\": volume type \(kind) is not supported on this node"
        }
    }
}
