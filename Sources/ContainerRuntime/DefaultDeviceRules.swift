import OCI

/// The device cgroup rules every container gets after its own (as runc and crun add them):
/// mknod of anything, and read/write of the standard nodes the runtime creates in /dev.
/// Without them a spec that denies all devices (`runtime spec` does) could not even create
/// /dev/null.
enum DefaultDeviceRules {
    static let rules: [RuntimeSpec.DeviceCgroup] = [
        .init(allow: true, type: "c", major: nil, minor: nil, access: "m"),
        .init(allow: true, type: "b", major: nil, minor: nil, access: "m"),
        .init(allow: true, type: "c", major: 1, minor: 3, access: "rwm"),   // null
        .init(allow: true, type: "c", major: 1, minor: 5, access: "rwm"),   // zero
        .init(allow: true, type: "c", major: 1, minor: 7, access: "rwm"),   // full
        .init(allow: true, type: "c", major: 1, minor: 8, access: "rwm"),   // random
        .init(allow: true, type: "c", major: 1, minor: 9, access: "rwm"),   // urandom
        .init(allow: true, type: "c", major: 5, minor: 0, access: "rwm"),   // tty
        .init(allow: true, type: "c", major: 5, minor: 1, access: "rwm"),   // console
        .init(allow: true, type: "c", major: 5, minor: 2, access: "rwm"),   // ptmx
        .init(allow: true, type: "c", major: 136, minor: nil, access: "rwm"), // pts/*
    ]

    /// `resources` with the default rules appended, plus an allow rule for every device the
    /// spec asks the runtime to create.
    static func apply(to resources: RuntimeSpec.Resources?, devices: [RuntimeSpec.Device]) -> RuntimeSpec.Resources {
        var resources = resources ?? RuntimeSpec.Resources()
        var rules = resources.devices ?? []
        rules += Self.rules
        for device in devices where device.type != "p" {
            rules.append(.init(allow: true, type: device.type == "u" ? "c" : device.type,
                               major: device.major, minor: device.minor, access: "rwm"))
        }
        resources.devices = rules
        return resources
    }
}
