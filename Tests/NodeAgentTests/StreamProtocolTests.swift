import Foundation
import NIOCore
@testable import NodeAgent
import Testing

/// Fast unit tests of the streaming server's protocol pieces (the real-container and real
/// kubectl tests exercise them end to end).
struct StreamProtocolTests {
    @Test func spdyFramesSurviveARoundTripInOneSessionStream() throws {
        let sender = try SPDYFrameCodec(), receiver = try SPDYFrameCodec()
        let frames: [SPDYFrame] = [
            .synStream(streamID: 1, associatedTo: 0, headers: SPDYHeaders([("streamtype", "error"), ("port", "8080"), ("requestid", "0")]),
                       fin: false, unidirectional: false),
            .synStream(streamID: 3, associatedTo: 0, headers: SPDYHeaders([("streamtype", "data"), ("port", "8080"), ("requestid", "0")]),
                       fin: false, unidirectional: false),
            .synReply(streamID: 3, headers: SPDYHeaders(), fin: false),
            .data(streamID: 3, bytes: Array("GET / HTTP/1.0\r\n\r\n".utf8), fin: false),
            .data(streamID: 1, bytes: [], fin: true),
            .ping(id: 7),
            .rstStream(streamID: 3, status: SPDYFrame.cancel),
            .goAway(lastGoodStreamID: 3, status: 0),
        ]
        var wire = ByteBuffer(bytes: frames.flatMap { sender.encode($0) })
        // Split anywhere, as the WebSocket tunnel does: frames come out whole and in order.
        var decoded: [SPDYFrame] = []
        while wire.readableBytes > 0 {
            var piece = wire.readSlice(length: min(3, wire.readableBytes)) ?? ByteBuffer()
            decoded += try receiver.receive(&piece)
        }
        #expect(decoded == frames)
    }

    @Test func theDictionaryIsTheSpecsLengthAndHeaderBlocksUseIt() throws {
        // draft-mbelshe-httpbis-spdy-00 §2.6.10.1: 1423 bytes ending in "enq=0.".
        #expect(SPDYDictionary.bytes.count == 1423)
        #expect(SPDYDictionary.bytes.suffix(6) == Array("enq=0.".utf8))
        let compression = try SPDYHeaderCompression()
        let block = SPDYHeaders([("streamtype", "stdout")]).encoded()
        let compressed = compression.compress(block)
        // A zlib header with FDICT set: the receiver needs the dictionary to inflate it.
        #expect(compressed.count > 2 && compressed[1] & 0x20 != 0)
        #expect(try SPDYHeaderCompression().decompress(compressed) == block)
    }

    @Test func malformedFramesAreErrorsNotCrashes() throws {
        let codec = try SPDYFrameCodec()
        var wrongVersion = ByteBuffer(bytes: [0x80, 0x02, 0x00, 0x06, 0, 0, 0, 4, 0, 0, 0, 1])
        #expect(throws: SPDYProtocolError.self) { try codec.receive(&wrongVersion) }
        let fresh = try SPDYFrameCodec()
        var garbageHeaders = ByteBuffer(bytes: [0x80, 0x03, 0x00, 0x01, 0, 0, 0, 14, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6])
        #expect(throws: SPDYProtocolError.self) { try fresh.receive(&garbageHeaders) }
    }

    @Test func criLogRecordsBecomeWholeLines() {
        var parser = CRILogParser()
        let first = parser.feed(Array("2024-01-01T00:00:00.1Z stdout P hel".utf8))
        #expect(first.isEmpty)
        let rest = parser.feed(Array("\n2024-01-01T00:00:00.2Z stdout F lo\n2024-01-01T00:00:01Z stderr F  spaced \n".utf8))
        #expect(rest.map { String(decoding: $0.text, as: UTF8.self) } == ["hello", " spaced "])
        #expect(rest.map(\.timestamp) == ["2024-01-01T00:00:00.1Z", "2024-01-01T00:00:01Z"])
        #expect(rest.map(\.stream) == ["stdout", "stderr"])
    }

    @Test func logOptionsAreParsedStrictly() throws {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        let options = try ContainerLogOptions(query: ["follow": ["true"], "tailLines": ["10"], "sinceSeconds": ["60"],
                                                      "timestamps": ["1"], "limitBytes": ["100"]], now: now)
        #expect(options.follow && options.timestamps && options.tailLines == 10 && options.limitBytes == 100)
        #expect(options.since == now.addingTimeInterval(-60))
        #expect(throws: StreamRequestError.self) { try ContainerLogOptions(query: ["tailLines": ["-1"]]) }
        #expect(throws: StreamRequestError.self) { try ContainerLogOptions(query: ["follow": ["maybe"]]) }
        #expect(throws: StreamRequestError.self) {
            try ContainerLogOptions(query: ["sinceSeconds": ["5"], "sinceTime": ["2024-01-01T00:00:00Z"]])
        }
        #expect(CRITimestamp.rfc3339Nano("2024-01-01T00:00:00.120000000Z") == "2024-01-01T00:00:00.12Z")
        #expect(CRITimestamp.rfc3339Nano("2024-01-01T00:00:00.000000000Z") == "2024-01-01T00:00:00Z")
    }

    @Test func requestsAreRoutedByPathAndQuery() throws {
        let exec = try StreamRequest(uri: "/exec/default/web/c?command=sh&command=-c&command=echo%20hi&stdout=true&stdin=1&tty=false")
        #expect(exec == .exec(namespace: "default", pod: "web", container: "c",
                              options: ExecProcess.Options(command: ["sh", "-c", "echo hi"], stdin: true, stdout: true, stderr: false, tty: false)))
        #expect(try StreamRequest(uri: "/portForward/ns/p") == .portForward(namespace: "ns", pod: "p"))
        #expect(throws: StreamRequestError.self) { try StreamRequest(uri: "/exec/default/web/c?stdout=1") }
        #expect(throws: StreamRequestError.self) { try StreamRequest(uri: "/exec/default/web/c?command=ls") }
        #expect(throws: StreamRequestError.self) { try StreamRequest(uri: "/containerLogs/default/web") }
    }

    @Test func statusesAreWhatKubectlExpects() throws {
        let failure = try JSONSerialization.jsonObject(with: Data(RemoteCommandStatus.exitCode(3).json)) as? [String: Any]
        #expect(failure?["status"] as? String == "Failure")
        #expect(failure?["reason"] as? String == "NonZeroExitCode")
        let causes = (failure?["details"] as? [String: Any])?["causes"] as? [[String: Any]]
        #expect(causes?.first?["reason"] as? String == "ExitCode" && causes?.first?["message"] as? String == "3")
        let success = try JSONSerialization.jsonObject(with: Data(RemoteCommandStatus.success.json)) as? [String: Any]
        #expect(success?["status"] as? String == "Success")
        let sizes = TerminalSizeParser.sizes(in: Array(#"{"Width":80,"Height":24}{"Width":120,"Height":40}"#.utf8))
        #expect(sizes.map(\.width) == [80, 120] && sizes.map(\.height) == [24, 40])
    }
}
