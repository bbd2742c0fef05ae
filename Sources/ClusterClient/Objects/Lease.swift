import APIModel

/// A `Lease` as the apiserver returns it; see `KubernetesObject`.
public struct Lease: KubernetesObject {
    public static let resource = ResourceRef.leases
    public var object: JSONValue
    public init(_ object: JSONValue) { self.object = object }
}

extension Lease {
    public var holderIdentity: String? {
        get { object.value(at: ["spec", "holderIdentity"])?.stringValue }
        set { object.setValue(newValue.map(JSONValue.string), at: ["spec", "holderIdentity"]) }
    }
    public var leaseDurationSeconds: Int? {
        get { object.value(at: ["spec", "leaseDurationSeconds"])?.intValue.map(Int.init) }
        set { object.setValue(newValue.map { .int(Int64($0)) }, at: ["spec", "leaseDurationSeconds"]) }
    }
    /// MicroTime (`2006-01-02T15:04:05.000000Z`).
    public var acquireTime: String? {
        get { object.value(at: ["spec", "acquireTime"])?.stringValue }
        set { object.setValue(newValue.map(JSONValue.string), at: ["spec", "acquireTime"]) }
    }
    /// MicroTime (`2006-01-02T15:04:05.000000Z`).
    public var renewTime: String? {
        get { object.value(at: ["spec", "renewTime"])?.stringValue }
        set { object.setValue(newValue.map(JSONValue.string), at: ["spec", "renewTime"]) }
    }
    public var leaseTransitions: Int {
        get { Int(object.value(at: ["spec", "leaseTransitions"])?.intValue ?? 0) }
        set { object.setValue(.int(Int64(newValue)), at: ["spec", "leaseTransitions"]) }
    }
}
