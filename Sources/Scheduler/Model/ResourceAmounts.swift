import APIModel

/// Amounts of the resources the scheduler accounts for, in integer units: cpu in
/// millicores, memory and ephemeral storage in bytes, pods as a count, and every other
/// (extended, hugepages) resource by name in its own unit. Integers keep the fit checks
/// exact and the arithmetic cheap.
struct ResourceAmounts: Sendable, Equatable {
    var milliCPU: Int64 = 0
    var memory: Int64 = 0
    var ephemeralStorage: Int64 = 0
    var pods: Int64 = 0
    var scalars: [String: Int64] = [:]

    static let cpu = "cpu", memoryName = "memory", ephemeralStorageName = "ephemeral-storage", podsName = "pods"

    init() {}

    init(milliCPU: Int64 = 0, memory: Int64 = 0, ephemeralStorage: Int64 = 0, pods: Int64 = 0, scalars: [String: Int64] = [:]) {
        self.milliCPU = milliCPU
        self.memory = memory
        self.ephemeralStorage = ephemeralStorage
        self.pods = pods
        self.scalars = scalars
    }

    /// Reads a `ResourceList` object (`{"cpu": "100m", "memory": "128Mi"}`). A value that is
    /// not a quantity is an error naming the resource.
    init(resourceList json: JSONValue?) throws(SchedulingInputError) {
        guard let object = json?.objectValue else { return }
        for (name, value) in object {
            guard let amount = Quantity.value(of: value) else {
                throw SchedulingInputError("resource \(name): \(value) is not a quantity")
            }
            switch name {
            case Self.cpu: milliCPU = Self.roundUp(amount * 1000)
            case Self.memoryName: memory = Self.roundUp(amount)
            case Self.ephemeralStorageName: ephemeralStorage = Self.roundUp(amount)
            case Self.podsName: pods = Self.roundUp(amount)
            default: scalars[name] = Self.roundUp(amount)
            }
        }
    }

    /// Quantities round up to the unit, as Kubernetes' `MilliValue`/`Value` do.
    static func roundUp(_ value: Double) -> Int64 {
        let rounded = value.rounded(.up)
        if rounded >= Double(Int64.max) { return Int64.max }
        if rounded <= Double(Int64.min) { return Int64.min }
        return Int64(rounded)
    }

    var isZero: Bool { milliCPU == 0 && memory == 0 && ephemeralStorage == 0 && pods == 0 && scalars.values.allSatisfy { $0 == 0 } }

    mutating func add(_ other: ResourceAmounts) {
        milliCPU &+= other.milliCPU
        memory &+= other.memory
        ephemeralStorage &+= other.ephemeralStorage
        pods &+= other.pods
        for (name, value) in other.scalars { scalars[name, default: 0] &+= value }
    }

    mutating func subtract(_ other: ResourceAmounts) {
        milliCPU &-= other.milliCPU
        memory &-= other.memory
        ephemeralStorage &-= other.ephemeralStorage
        pods &-= other.pods
        for (name, value) in other.scalars { scalars[name, default: 0] &-= value }
    }

    /// Each resource becomes the larger of the two.
    mutating func formMaximum(_ other: ResourceAmounts) {
        milliCPU = max(milliCPU, other.milliCPU)
        memory = max(memory, other.memory)
        ephemeralStorage = max(ephemeralStorage, other.ephemeralStorage)
        pods = max(pods, other.pods)
        for (name, value) in other.scalars { scalars[name] = max(scalars[name] ?? 0, value) }
    }

    func adding(_ other: ResourceAmounts) -> ResourceAmounts {
        var sum = self
        sum.add(other)
        return sum
    }
}

/// An object the scheduler cannot read (a malformed quantity, selector or toleration that
/// the apiserver let through): the pod is reported unschedulable with this text.
struct SchedulingInputError: Error, Sendable, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
