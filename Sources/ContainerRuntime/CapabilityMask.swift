import CLinuxSystem

/// Capability names (`CAP_CHOWN`) as the 64-bit masks capset(2) and the bounding-set drop use.
enum CapabilityMask {
    static func mask(_ names: [String]?, field: String) throws(RuntimeError) -> UInt64 {
        var mask: UInt64 = 0
        for name in names ?? [] {
            let number = csys_cap_from_name(name)
            guard number >= 0, number < 64 else {
                throw .invalidSpec("process.capabilities.\(field): unknown capability \(name)")
            }
            mask |= 1 << UInt64(number)
        }
        return mask
    }

    /// Whether this kernel knows the capability (newer names may postdate it).
    static func isKnown(_ name: String) -> Bool {
        let number = csys_cap_from_name(name)
        return number >= 0 && number <= csys_cap_last_cap()
    }
}
