import NIOCore
import NIOPosix
import Raft
import Synchronization
import Testing

@testable import KVStore

@Suite("Peer transport")
struct TransportCodecTests {
    @Test("a message with entries, context and a snapshot survives encode/decode")
    func messageRoundTrip() throws {
        let message = Message(
            type: .appendEntries, to: 2, from: 1, term: 7, logTerm: 6, index: 41,
            entries: [
                Entry(term: 7, index: 42, kind: .normal, data: Array("hello".utf8)),
                Entry(term: 7, index: 43, kind: .confChange, data: ConfChange(kind: .addLearner, nodeID: 9).encoded()),
                Entry(term: 7, index: 44),
            ],
            commit: 40, reject: true, rejectHint: 39,
            snapshot: Snapshot(
                metadata: SnapshotMetadata(index: 30, term: 5, confState: ConfState(voters: [1, 2, 3], learners: [9])),
                data: Array(repeating: 0xab, count: 10_000)),
            context: [1, 2, 3])
        let decoded = try RaftMessageCodec.decode(RaftMessageCodec.encode(message))
        #expect(decoded == message)
    }

    @Test("truncated or unknown frames are refused with a named error")
    func malformedFrames() throws {
        let encoded = RaftMessageCodec.encode(
            Message(type: .heartbeat, to: 2, from: 1, entries: [Entry(term: 1, index: 1, data: [1, 2, 3])]))
        for length in [0, 1, 10, encoded.readableBytes - 1] {
            #expect(throws: PeerWireError.self) { try RaftMessageCodec.decode(encoded.getSlice(at: 0, length: length)!) }
        }
        var unknown = encoded
        unknown.setInteger(UInt8(200), at: 1)
        #expect(throws: PeerWireError.unknownMessageType(200)) { try RaftMessageCodec.decode(unknown) }
    }

    @Test("frames sent over loopback TCP arrive in order, batched writes included")
    func framesOverLoopback() async throws {
        let received = Mutex<[Message]>([])
        let group = MultiThreadedEventLoopGroup.singleton
        let receiver = PeerTransport(
            localID: 2, group: group, logger: .init(label: "test"),
            onFrame: { frame in
                if let message = try? RaftMessageCodec.decode(frame) { received.withLock { $0.append(message) } }
            },
            onUnreachable: { _ in })
        let port = try await receiver.listen(on: PeerAddress(host: "127.0.0.1", port: 0))
        let sender = PeerTransport(localID: 1, group: group, logger: .init(label: "test"), onFrame: { _ in }, onUnreachable: { _ in })
        sender.setPeer(2, address: PeerAddress(host: "127.0.0.1", port: port))
        let messages = (1...100).map { Message(type: .heartbeat, to: 2, from: 1, term: UInt64($0)) }
        // The link connects lazily; keep sending until the first batch gets through.
        for _ in 0..<100 where received.withLock({ $0.isEmpty }) {
            sender.send(to: 2, frames: [RaftMessageCodec.encode(Message(type: .heartbeat, to: 2, from: 1, term: 0))])
            try await Task.sleep(for: .milliseconds(20))
        }
        sender.send(to: 2, frames: messages.map { RaftMessageCodec.encode($0) })
        for _ in 0..<200 where received.withLock({ $0.count }) < 100 + 1 {
            try await Task.sleep(for: .milliseconds(10))
        }
        let terms = received.withLock { $0.map(\.term).filter { $0 > 0 } }
        #expect(terms == (1...100).map(UInt64.init))
        await sender.shutdown()
        await receiver.shutdown()
    }

    @Test("peer addresses parse host:port, [v6]:port and URLs; bad ones are named")
    func peerAddresses() throws {
        #expect(try PeerAddress(parsing: "127.0.0.1:2380") == PeerAddress(host: "127.0.0.1", port: 2380))
        #expect(try PeerAddress(parsing: "http://10.0.0.1:2380/") == PeerAddress(host: "10.0.0.1", port: 2380))
        #expect(try PeerAddress(parsing: "[::1]:2380") == PeerAddress(host: "::1", port: 2380))
        #expect(throws: PeerAddressError.self) { try PeerAddress(parsing: "localhost") }
        #expect(throws: PeerAddressError.self) { try PeerAddress(parsing: "host:99999") }
    }
}
