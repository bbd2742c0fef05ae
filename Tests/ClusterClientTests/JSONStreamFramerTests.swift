import APIModel
@testable import ClusterClient
import Testing

@Suite("Watch stream framing")
struct JSONStreamFramerTests {
    static let events = [
        #"{"type":"ADDED","object":{"metadata":{"name":"a"},"data":{"k":"a } \" ] {"}}}"#,
        #"{"type":"MODIFIED","object":{"metadata":{"name":"b"},"list":[1,[2,{"x":"\\"}]]}}"#,
        #"{"type":"DELETED","object":{"metadata":{"name":"c"}}}"#,
    ]

    @Test("objects split at every possible chunk boundary frame the same", arguments: [1, 2, 3, 7, 64, 10_000])
    func anyChunking(chunkSize: Int) throws {
        let bytes = Array((Self.events.joined(separator: "\n") + "\n").utf8)
        var framer = JSONStreamFramer()
        var decoded: [WatchEvent] = []
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + chunkSize)
            try framer.append(bytes[offset..<end]) { decoded.append(try APITransport.decodeWatchEvent($0)) }
            offset = end
        }
        #expect(decoded.map(\.type) == [.added, .modified, .deleted])
        #expect(decoded.map(\.object.name) == ["a", "b", "c"])
        #expect(decoded[0].object["data"]?["k"] == "a } \" ] {")
        #expect(!framer.hasPartialObject)
    }

    @Test("unseparated objects and a truncated tail")
    func unseparatedAndPartial() throws {
        var framer = JSONStreamFramer()
        var count = 0
        try framer.append(Array((Self.events[0] + Self.events[2] + #"{"type":"ADD"#).utf8)) { _ in count += 1 }
        #expect(count == 2)
        #expect(framer.hasPartialObject)
    }

    @Test("an event that is not a known type is an error")
    func unknownType() {
        #expect(throws: ClientError.self) {
            _ = try APITransport.decodeWatchEvent(ArraySlice(Array(#"{"type":"SURPRISE","object":{}}"#.utf8)))
        }
    }
}
