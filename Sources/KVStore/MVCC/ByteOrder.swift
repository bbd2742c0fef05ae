import Glibc

/// Lexicographic order of byte strings (shorter prefix first), the order etcd ranges use.
@inline(__always)
func compareKeys(_ a: [UInt8], _ b: [UInt8]) -> Int {
    let shared = min(a.count, b.count)
    let c: Int32 = shared == 0 ? 0 : a.withUnsafeBytes { pa in
        b.withUnsafeBytes { pb in
            guard let x = pa.baseAddress, let y = pb.baseAddress else { return 0 }
            return memcmp(x, y, shared)
        }
    }
    if c != 0 { return c < 0 ? -1 : 1 }
    return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
}

@inline(__always)
func keyLess(_ a: [UInt8], _ b: [UInt8]) -> Bool { compareKeys(a, b) < 0 }

/// The keys a `key`/`rangeEnd` pair selects, in etcd's encoding.
struct KeyInterval {
    var lower: [UInt8]
    /// Exclusive upper bound; nil means unbounded.
    var upper: [UInt8]?
    /// True when the interval is exactly one key.
    var isSingleKey: Bool

    init(key: [UInt8], rangeEnd: [UInt8]) {
        if rangeEnd.isEmpty {
            lower = key
            upper = nil
            isSingleKey = true
        } else if rangeEnd == [0] {
            lower = key == [0] ? [] : key
            upper = nil
            isSingleKey = false
        } else {
            lower = key
            upper = rangeEnd
            isSingleKey = false
        }
    }

    func contains(_ key: [UInt8]) -> Bool {
        if isSingleKey { return key == lower }
        guard compareKeys(key, lower) >= 0 else { return false }
        guard let upper else { return true }
        return keyLess(key, upper)
    }
}
