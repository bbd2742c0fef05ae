#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Kubernetes' timestamp formats: `Time` (RFC 3339, seconds, `2006-01-02T15:04:05Z`) and
/// `MicroTime` (six fractional digits, `2006-01-02T15:04:05.000000Z`), always in UTC.
public enum APITime {
    public static func time(_ date: Date = Date()) -> String {
        format(date, micro: false)
    }

    public static func microTime(_ date: Date = Date()) -> String {
        format(date, micro: true)
    }

    static func format(_ date: Date, micro: Bool) -> String {
        let interval = date.timeIntervalSince1970
        var seconds = time_t(interval.rounded(.down))
        var microseconds = Int(((interval - Double(seconds)) * 1_000_000).rounded(.down))
        if microseconds >= 1_000_000 {
            seconds += 1
            microseconds -= 1_000_000
        }
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var text = pad(Int(parts.tm_year) + 1900, 4) + "-" + pad(Int(parts.tm_mon) + 1, 2) + "-" + pad(Int(parts.tm_mday), 2)
        text += "T" + pad(Int(parts.tm_hour), 2) + ":" + pad(Int(parts.tm_min), 2) + ":" + pad(Int(parts.tm_sec), 2)
        if micro { text += "." + pad(max(0, microseconds), 6) }
        return text + "Z"
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
