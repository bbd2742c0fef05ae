import Foundation
import Testing

@testable import APIModel

@Suite struct TableDurationTests {
    static let cases: [(Double, String)] = [
        (-3, "<invalid>"), (-1.5, "0s"), (0, "0s"), (0.9, "0s"), (5, "5s"), (59, "59s"), (119, "119s"),
        (120, "2m"), (182, "3m2s"), (599, "9m59s"), (600, "10m"), (7500, "125m"), (10799, "179m"),
        (10800, "3h"), (11100, "3h5m"), (28799, "7h59m"), (28800, "8h"), (47 * 3600, "47h"),
        (48 * 3600, "2d"), (3 * 86400 + 4 * 3600, "3d4h"), (8 * 86400, "8d"), (45 * 86400, "45d"),
        (729 * 86400, "729d"), (733 * 86400, "2y3d"), (730 * 86400, "2y"), (8 * 365 * 86400, "8y"),
        (20 * 365 * 86400 + 9 * 86400, "20y"),
    ]

    @Test(arguments: cases)
    func humanDuration(_ seconds: Double, _ expected: String) {
        #expect(HumanDuration.format(seconds: seconds) == expected)
    }

    @Test func timestampsParseWithFractionsAndOffsets() throws {
        let base = try #require(TableTimestamp.date("2023-11-14T22:13:20Z"))
        #expect(base.timeIntervalSince1970 == 1_700_000_000)
        #expect(TableTimestamp.date("2023-11-14T22:13:20.500000Z")?.timeIntervalSince1970 == 1_700_000_000.5)
        #expect(TableTimestamp.date("2023-11-14T23:13:20+01:00")?.timeIntervalSince1970 == 1_700_000_000)
        #expect(TableTimestamp.date("2024-02-29T00:00:00Z")?.timeIntervalSince1970 == 1_709_164_800)
        #expect(TableTimestamp.date("not a time") == nil)
        #expect(TableTimestamp.date("2023-11-14T22:13:20") == nil)
        #expect(HumanDuration.since(nil, now: TableClock.now) == "<unknown>")
        #expect(HumanDuration.since(TableClock.ago(3 * 86400 + 4 * 3600 + 59), now: TableClock.now) == "3d4h")
    }
}
