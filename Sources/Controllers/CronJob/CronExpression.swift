import Foundation

/// A parsed five-field cron schedule (minute hour day-of-month month day-of-week) with
/// ranges, steps, lists, month and weekday names, `*`/`?`, and the `@yearly`, `@monthly`,
/// `@weekly`, `@daily`, `@hourly` descriptors. As in cron, when both day fields are
/// restricted a day matches if either does.
public struct CronExpression: Sendable, Equatable {
    public struct ParseError: Error, Sendable, CustomStringConvertible, Equatable {
        public var message: String
        public var description: String { message }
    }

    var minutes: Set<Int>
    var hours: Set<Int>
    var daysOfMonth: Set<Int>
    var months: Set<Int>
    /// 0 = Sunday (7 is folded into 0).
    var daysOfWeek: Set<Int>
    var dayOfMonthRestricted: Bool
    var dayOfWeekRestricted: Bool

    static let monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    static let dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]

    public init(parsing text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let expanded: String
        switch trimmed.lowercased() {
        case "@yearly", "@annually": expanded = "0 0 1 1 *"
        case "@monthly": expanded = "0 0 1 * *"
        case "@weekly": expanded = "0 0 * * 0"
        case "@daily", "@midnight": expanded = "0 0 * * *"
        case "@hourly": expanded = "0 * * * *"
        default:
            if trimmed.hasPrefix("@") { throw ParseError(message: "unrecognized descriptor: \(trimmed)") }
            if trimmed.hasPrefix("TZ=") || trimmed.hasPrefix("CRON_TZ=") {
                throw ParseError(message: "cannot use TZ or CRON_TZ in schedule, use timeZone field instead")
            }
            expanded = trimmed
        }
        let fields = expanded.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count == 5 else {
            throw ParseError(message: "expected exactly 5 fields, found \(fields.count): \(trimmed)")
        }
        minutes = try Self.field(fields[0], 0...59, names: [], nameBase: 0)
        hours = try Self.field(fields[1], 0...23, names: [], nameBase: 0)
        daysOfMonth = try Self.field(fields[2], 1...31, names: [], nameBase: 0)
        months = try Self.field(fields[3], 1...12, names: Self.monthNames, nameBase: 1)
        var weekdays = try Self.field(fields[4], 0...7, names: Self.dayNames, nameBase: 0)
        if weekdays.remove(7) != nil { weekdays.insert(0) }
        daysOfWeek = weekdays
        dayOfMonthRestricted = !Self.isWildcard(fields[2])
        dayOfWeekRestricted = !Self.isWildcard(fields[4])
    }

    static func isWildcard(_ field: String) -> Bool { field == "*" || field == "?" }

    static func field(_ text: String, _ range: ClosedRange<Int>, names: [String], nameBase: Int) throws -> Set<Int> {
        func number(_ token: Substring) throws -> Int {
            if let value = Int(token) {
                guard range.contains(value) else {
                    throw ParseError(message: "value (\(value)) out of range [\(range.lowerBound), \(range.upperBound)]: \(text)")
                }
                return value
            }
            if let index = names.firstIndex(of: token.lowercased()) { return index + nameBase }
            throw ParseError(message: "failed to parse \(token) in \(text)")
        }
        var values = Set<Int>()
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            var base = part
            var step = 1
            if let slash = part.firstIndex(of: "/") {
                base = part[..<slash]
                guard let parsed = Int(part[part.index(after: slash)...]), parsed > 0 else {
                    throw ParseError(message: "invalid step in \(text)")
                }
                step = parsed
            }
            let low: Int, high: Int
            if base == "*" || base == "?" {
                (low, high) = (range.lowerBound, range.upperBound)
            } else if let dash = base.firstIndex(of: "-") {
                low = try number(base[..<dash])
                high = try number(base[base.index(after: dash)...])
                guard low <= high else { throw ParseError(message: "beginning of range (\(low)) beyond end of range (\(high)): \(text)") }
            } else {
                low = try number(base)
                // `5/15` means from 5 to the end in steps of 15.
                high = part.contains("/") ? range.upperBound : low
            }
            for value in stride(from: low, through: high, by: step) { values.insert(value) }
        }
        return values
    }

    /// The first time strictly after `date` that the schedule fires, in `timeZone`; nil if
    /// none within eight years (e.g. February 30th).
    public func next(after date: Date, in timeZone: TimeZone = TimeZone(identifier: "UTC") ?? .current) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        // Start at the next whole minute.
        let seconds = floor(date.timeIntervalSinceReferenceDate / 60) * 60 + 60
        var candidate = Date(timeIntervalSinceReferenceDate: seconds)
        let limit = date.addingTimeInterval(8 * 366 * 86_400)
        while candidate < limit {
            let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .weekday], from: candidate)
            guard let year = parts.year, let month = parts.month, let day = parts.day, let hour = parts.hour,
                  let minute = parts.minute, let weekday = parts.weekday else { return nil }
            if !months.contains(month) {
                guard let next = calendar.date(from: DateComponents(year: month == 12 ? year + 1 : year,
                                                                    month: month == 12 ? 1 : month + 1, day: 1)) else { return nil }
                candidate = next
                continue
            }
            if !dayMatches(day: day, weekday: weekday - 1) {
                guard let startOfDay = calendar.date(from: DateComponents(year: year, month: month, day: day)),
                      let next = calendar.date(byAdding: .day, value: 1, to: startOfDay) else { return nil }
                candidate = next
                continue
            }
            if !hours.contains(hour) {
                guard let startOfHour = calendar.date(from: DateComponents(year: year, month: month, day: day, hour: hour)),
                      let next = calendar.date(byAdding: .hour, value: 1, to: startOfHour) else { return nil }
                candidate = next
                continue
            }
            if !minutes.contains(minute) {
                candidate = candidate.addingTimeInterval(60)
                continue
            }
            return candidate
        }
        return nil
    }

    func dayMatches(day: Int, weekday: Int) -> Bool {
        let domMatch = daysOfMonth.contains(day), dowMatch = daysOfWeek.contains(weekday)
        if dayOfMonthRestricted && dayOfWeekRestricted { return domMatch || dowMatch }
        return domMatch && dowMatch
    }
}
