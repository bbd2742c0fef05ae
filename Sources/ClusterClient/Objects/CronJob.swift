import APIModel

/// A `CronJob` as the apiserver returns it; see `KubernetesObject`.
public struct CronJob: KubernetesObject {
    public static let resource = ResourceRef.cronJobs
    public var object: JSONValue
    public init(_ object: JSONValue) { self.object = object }
}
