import LinuxSystem

/// Why a runtime operation failed, in words that name the container, file or field at fault.
public enum RuntimeError: Error, Sendable, CustomStringConvertible {
    /// The bundle or its config.json is missing or unreadable.
    case invalidBundle(String)
    /// config.json asks for something wrong or unsupported.
    case invalidSpec(String)
    case containerExists(String)
    case containerNotFound(String)
    /// The container is not in a state that allows the operation.
    case invalidState(id: String, status: String, operation: String)
    /// The container child failed during setup: the stage, the errno and what it was doing.
    case setupFailed(stage: String, errno: Int32, message: String)
    case system(SystemError)
    case cgroup(String)
    /// A lifecycle hook failed, timed out or could not start: which one, and what it said.
    case hookFailed(String)

    public var description: String {
        switch self {
        case .invalidBundle(let why): return "invalid bundle: \(why)"
        case .invalidSpec(let why): return "invalid config.json: \(why)"
        case .containerExists(let id): return "container \(id) already exists"
        case .containerNotFound(let id): return "container \(id) does not exist"
        case .invalidState(let id, let status, let operation):
            return "cannot \(operation) container \(id): it is \(status)"
        case .setupFailed(let stage, let code, let message):
            return "container setup failed (\(stage)): \(SystemError(operation: message, errno: code))"
        case .system(let error): return error.description
        case .cgroup(let why): return "cgroup: \(why)"
        case .hookFailed(let why): return "hook failed: \(why)"
        }
    }
}
