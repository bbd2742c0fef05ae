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

    /// The names of the capabilities in `mask`, for reporting.
    static func all() -> UInt64 {
        let last = csys_cap_last_cap()
        return last >= 63 ? UInt64.max : (UInt64(1) << UInt64(last + 1)) - 1
    }
}
