import APIModel

/// A `Job` as the apiserver returns it; see `KubernetesObject`.
public struct Job: KubernetesObject {
    public static let resource = ResourceRef.jobs
    public var object: JSONValue
    public init(_ object: JSONValue) { self.object = object }
}

extension Job {
    public var parallelism: Int? { object.value(at: ["spec", "parallelism"])?.intValue.map(Int.init) }
    public var completions: Int? { object.value(at: ["spec", "completions"])?.intValue.map(Int.init) }
}
