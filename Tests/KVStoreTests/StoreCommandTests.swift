import Testing
@testable import KVStore

@Suite("Store command encoding")
struct StoreCommandTests {
    static let commands: [StoreCommand] = [
        .put(PutRequest(key: b("/registry/pods/a"), value: Array(repeating: 7, count: 300), prevKV: true, lease: -5)),
        .deleteRange(DeleteRangeRequest(key: b("a"), rangeEnd: [0], prevKV: true)),
        .compact(revision: 1_234_567_890_123),
        .txn(TxnRequest(
            compare: [.modRevision(b("k"), .equal, 42), Compare(key: b("a"), rangeEnd: b("b"), target: .value, result: .less, value: b("zz"))],
            success: [.put(PutRequest(key: b("k"), value: b("v"))),
                      .range(RangeRequest(key: b("k"), rangeEnd: b("l"), limit: 3, revision: 9, countOnly: true, keysOnly: true)),
                      .txn(TxnRequest(success: [.deleteRange(DeleteRangeRequest(key: b("x")))]))],
            failure: [.range(RangeRequest(key: b("k")))])),
    ]

    @Test("every command survives an encode/decode round trip with its request id", arguments: commands)
    func roundTrip(command: StoreCommand) throws {
        let bytes = command.encoded(requestID: 0xDEAD_BEEF_0102)
        let decoded = try StoreCommand.decode(bytes)
        #expect(decoded.requestID == 0xDEAD_BEEF_0102)
        #expect(decoded.command == command)
    }

    @Test("truncated, unknown-version and trailing-garbage payloads are refused")
    func corruptPayloads() throws {
        let bytes = Self.commands[3].encoded(requestID: 1)
        for cut in [0, 1, 9, bytes.count / 2, bytes.count - 1] {
            #expect(throws: StoreError.self) { try StoreCommand.decode(Array(bytes.prefix(cut))) }
        }
        var wrongVersion = bytes
        wrongVersion[0] = 99
        #expect(throws: StoreError.self) { try StoreCommand.decode(wrongVersion) }
        #expect(throws: StoreError.self) { try StoreCommand.decode(bytes + [0]) }
    }

    @Test("CRC-32C matches the RFC 3720 check values")
    func crcCheckValues() {
        #expect(CRC32C.checksum(b("123456789")) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xff, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum(Array(0..<32)) == 0x46DD_794E)
        // Continuing a checksum equals checksumming the concatenation.
        let data = (0..<1000).map { UInt8(truncatingIfNeeded: $0 * 31) }
        #expect(CRC32C.checksum(Array(data[500...]), continuing: CRC32C.checksum(Array(data[..<500]))) == CRC32C.checksum(data))
    }
}
