/// Renders protobuf time values the way Kubernetes' JSON does: metav1.Time as RFC 3339 in UTC
/// with whole seconds, MicroTime with six fractional digits, metav1.Duration as Go's
/// `time.Duration.String()` ("1h0m0s", "1.5s", "300ms").
enum ProtobufTime {
    static func rfc3339(seconds: Int64, nanos: Int64, micro: Bool) -> String {
        let days = floorDiv(seconds, 86400)
        let secondOfDay = seconds - days * 86400
        let (y, m, d) = civil(fromDays: days)
        var text = pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2) + "T" + pad(secondOfDay / 3600, 2) + ":"
            + pad(secondOfDay % 3600 / 60, 2) + ":" + pad(secondOfDay % 60, 2)
        if micro { text += "." + pad(max(0, min(nanos, 999_999_999)) / 1000, 6) }
        return text + "Z"
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }

    static func pad(_ n: Int64, _ width: Int) -> String {
        let s = String(n)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    /// Year, month, day of a day count since 1970-01-01 (Howard Hinnant's civil_from_days).
    static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    static func goDuration(nanoseconds: Int64) -> String {
        if nanoseconds == 0 { return "0s" }
        let negative = nanoseconds < 0
        let u = nanoseconds.magnitude
        var text: String
        if u < 1_000_000_000 {
            let (unit, scale): (String, UInt64) = u < 1000 ? ("ns", 1) : u < 1_000_000 ? ("µs", 1000) : ("ms", 1_000_000)
            text = fraction(u, scale) + unit
        } else {
            let hours = u / 3_600_000_000_000
            let minutes = u / 60_000_000_000 % 60
            let secondsPart = u % 60_000_000_000
            text = fraction(secondsPart, 1_000_000_000) + "s"
            if hours > 0 { text = "\(hours)h\(minutes)m" + text } else if minutes > 0 { text = "\(minutes)m" + text }
        }
        return negative ? "-" + text : text
    }

    /// `value / scale` with the fraction's trailing zeros dropped ("1.5", "2").
    static func fraction(_ value: UInt64, _ scale: UInt64) -> String {
        let whole = value / scale
        var rest = value % scale
        guard rest != 0 else { return String(whole) }
        var digits = String(rest)
        let width = String(scale).count - 1
        digits = String(repeating: "0", count: width - digits.count) + digits
        while digits.hasSuffix("0") { digits.removeLast(); rest /= 10 }
        return "\(whole).\(digits)"
    }
}
