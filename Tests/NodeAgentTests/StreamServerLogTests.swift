import Foundation
@testable import NodeAgent
import Testing

/// `GET /containerLogs/…` on the streaming server with a real container's CRI log, over TLS
/// with client certificates (curl as the client).
@Suite(.serialized)
struct StreamServerLogTests {
    @Test(.enabled(if: getuid() == 0, "\(streamTestsNeedRoot)"))
    func logsTailTimestampsPreviousAndFollow() async throws {
        try await StreamServerFixture.with { fixture in
            try await fixture.container.waitForTick(3)

            let all = try fixture.curl("/containerLogs/default/web/c")
            #expect(all.status == 200, "\(all)")
            let lines = all.body.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            #expect(lines.contains("first line") && lines.contains("second line") && lines.contains("tick 3"), "\(all.body)")
            #expect(lines.last == "", "every line ends with a newline: \(all.body)")

            let tail = try fixture.curl("/containerLogs/default/web/c?tailLines=2")
            let tailLines = tail.body.split(separator: "\n")
            #expect(tailLines.count == 2 && tailLines.allSatisfy { $0.hasPrefix("tick ") }, "\(tail)")

            let stamped = try fixture.curl("/containerLogs/default/web/c?tailLines=1&timestamps=true")
            let parts = stamped.body.split(separator: " ", maxSplits: 1)
            #expect(parts.count == 2 && parts[0].hasSuffix("Z") && CRITimestamp.parse(String(parts[0])) != nil
                    && parts[1].hasPrefix("tick "), "\(stamped)")

            let limited = try fixture.curl("/containerLogs/default/web/c?limitBytes=5")
            #expect(limited.body.utf8.count == 5, "\(limited)")

            let recent = try fixture.curl("/containerLogs/default/web/c?sinceSeconds=1")
            #expect(!recent.body.contains("first line"), "\(recent)")

            // Partial records are joined; timestamps come out in RFC3339Nano (no trailing zeros).
            try fixture.container.writePreviousLog("""
                2024-01-01T00:00:00.100000000Z stdout P from the prev
                2024-01-01T00:00:00.200000000Z stdout F ious instance
                2024-01-01T00:00:01.000000000Z stderr F second
                """ + "\n")
            let previous = try fixture.curl("/containerLogs/default/web/c?previous=true")
            #expect(previous.body == "from the previous instance\nsecond\n", "\(previous)")
            let previousStamped = try fixture.curl("/containerLogs/default/web/c?previous=true&timestamps=true")
            #expect(previousStamped.body == "2024-01-01T00:00:00.1Z from the previous instance\n2024-01-01T00:00:01Z second\n",
                    "\(previousStamped)")

            // follow keeps streaming; curl's --max-time ends it after new ticks arrived.
            let followed = try fixture.curl("/containerLogs/default/web/c?follow=true&tailLines=1", timeout: 4)
            let ticks = followed.body.split(separator: "\n").filter { $0.hasPrefix("tick ") }
            #expect(ticks.count >= 3, "follow streamed \(ticks)")
        }
    }

    @Test(.enabled(if: getuid() == 0, "\(streamTestsNeedRoot)"))
    func badRequestsGetAStatusAndForeignClientsNothing() async throws {
        try await StreamServerFixture.with { fixture in
            let missing = try fixture.curl("/containerLogs/default/nope/c")
            #expect(missing.status == 404 && missing.body.contains("\"kind\":\"Status\""), "\(missing)")
            let badTail = try fixture.curl("/containerLogs/default/web/c?tailLines=many")
            #expect(badTail.status == 400 && badTail.body.contains("tailLines"), "\(badTail)")
            let unknown = try fixture.curl("/nothing/here")
            #expect(unknown.status == 404, "\(unknown)")
            let plainExec = try fixture.curl("/exec/default/web/c?command=true&stdout=1")
            #expect(plainExec.status == 400 && plainExec.body.contains("upgrade"), "\(plainExec)")
            let stranger = try fixture.curl("/containerLogs/default/web/c", identity: "stranger")
            #expect(stranger.status == 0 && stranger.exit != 0, "a client certificate from another CA is refused: \(stranger)")
        }
    }
}
