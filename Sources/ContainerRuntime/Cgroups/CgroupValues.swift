import OCI

/// Conversions between OCI resource values (which use cgroup v1 units and conventions) and
/// what each cgroup version's files accept. Pure functions, so the arithmetic is unit-tested
/// on its own.
enum CgroupValues {
    /// v1 prints this (PAGE_COUNTER_MAX pages, page aligned) for an unlimited memory counter.
    static let v1UnlimitedThreshold: UInt64 = 0x7FFF_FFFF_FFFF_F000

    /// OCI `cpu.shares` (v1, 2…262144, default 1024) → v2 `cpu.weight` (1…10000, default 100).
    /// The linear map runc, crun and the kubelet agree on: 2 ↦ 1, 262144 ↦ 10000,
    /// `weight = 1 + ((shares − 2) × 9999) / 262142`. Shares of 0 mean "not set".
    static func cpuWeight(fromShares shares: UInt64) -> UInt64? {
        guard shares > 0 else { return nil }
        let clamped = min(max(shares, 2), 262_144)
        return 1 + ((clamped - 2) * 9999) / 262_142
    }

    /// Block IO weight (v1 `blkio.weight`, 10…1000) → v2 `io.weight` (1…10000), the same
    /// linear map: `1 + ((weight − 10) × 9999) / 990`.
    static func ioWeight(fromBlkioWeight weight: UInt16) -> UInt64? {
        guard weight > 0 else { return nil }
        let clamped = UInt64(min(max(weight, 10), 1000))
        return 1 + ((clamped - 10) * 9999) / 990
    }

    /// A v2 limit file value: a byte count, or `max` for -1 (unlimited).
    static func v2Limit(_ value: Int64, field: String) throws -> String {
        if value == -1 { return "max" }
        guard value >= 0 else { throw CgroupError.invalidResource("\(field) must be -1 (unlimited) or ≥ 0, got \(value)") }
        return String(value)
    }

    /// OCI `memory.swap` is memory+swap (v1's `memsw`); cgroup v2's `memory.swap.max` counts
    /// swap alone, so it is `swap − limit`. Returns `nil` when nothing should be written.
    ///
    /// - swap -1 → `max`; swap 0 or unset → leave as is, except memory unlimited with swap unset
    ///   means "both unlimited" (v1 compatible);
    /// - a swap limit needs a memory limit and must be ≥ it.
    static func v2SwapMax(swap: Int64?, limit: Int64?) throws -> String? {
        let limit = limit ?? 0
        let swap = swap ?? 0
        if limit == -1 && swap == 0 { return "max" }
        if swap == -1 { return "max" }
        if swap == 0 { return nil }
        guard swap > 0 else { throw CgroupError.invalidResource("memory.swap must be -1 or ≥ 0, got \(swap)") }
        guard limit > 0 else {
            throw CgroupError.invalidResource("memory.swap (\(swap)) needs a memory.limit: it is memory+swap")
        }
        guard swap >= limit else {
            throw CgroupError.invalidResource("memory.swap (\(swap)) is memory+swap and must be ≥ memory.limit (\(limit))")
        }
        return String(swap - limit)
    }

    /// `pids.max`: a positive count, or `max` for 0/negative (the spec's "no limit").
    static func pidsMax(_ limit: Int64) -> String {
        limit > 0 ? String(limit) : "max"
    }

    /// A v1 `devices.allow`/`devices.deny` line: `type major:minor access`, `*` for "any".
    static func v1DeviceRule(_ rule: RuntimeSpec.DeviceCgroup) throws -> String {
        let type = rule.type ?? "a"
        guard ["a", "b", "c"].contains(type) else {
            throw CgroupError.invalidResource("device rule type must be a, b or c, got \"\(type)\"")
        }
        let access = rule.access ?? "rwm"
        guard !access.isEmpty, access.allSatisfy({ "rwm".contains($0) }) else {
            throw CgroupError.invalidResource("device rule access must be letters of \"rwm\", got \"\(access)\"")
        }
        func number(_ value: Int64?) throws -> String {
            guard let value, value != -1 else { return "*" }
            guard value >= 0 else { throw CgroupError.invalidResource("device number \(value) is negative") }
            return String(value)
        }
        return "\(type) \(try number(rule.major)):\(try number(rule.minor)) \(access)"
    }

    /// A counter value from v1: `nil` when it is the "unlimited" sentinel.
    static func v1Limit(_ value: UInt64) -> UInt64? {
        value >= v1UnlimitedThreshold ? nil : value
    }

    /// A v2 `max`-or-number file value: `nil` for `max`.
    static func v2Limit(parsing text: String, path: String) throws -> UInt64? {
        if text == "max" { return nil }
        guard let value = UInt64(text) else { throw CgroupError.malformedFile(path: path, content: text) }
        return value
    }

    /// The single-value a page size can be written as in hugetlb file names: "2MB", "1GB".
    static func validateHugepageSize(_ size: String) throws {
        guard !size.isEmpty, size.allSatisfy({ $0.isLetter || $0.isNumber }) else {
            throw CgroupError.invalidResource("hugepage size \"\(size)\" is not like \"2MB\"")
        }
    }
}
