import Foundation
import NIOCore
import Testing

@testable import KVStore

/// The put fast path must read and write exactly what the Codable definitions do, and hand
/// everything else to them.
@Suite("Gateway fast JSON for puts")
struct GatewayFastJSONTests {
    static let bodies = [
        #"{"key": "YS9i", "value": "dnZ2dg=="}"#,
        #"{"key":"YQ==","value":"","lease":"42","prev_kv":true}"#,
        #"{ "value" : "eA==" , "key" : "eHl6" , "lease" : 7 }"#,
        #"{"key": "YWJjZA==", "value": "MTIzNDU2Nzg5MA==", "prev_kv": false}"#,
        #"{}"#,
    ]

    @Test("plain put bodies decode exactly as JSONDecoder decodes them")
    func decodesLikeCodable() throws {
        for body in Self.bodies {
            let fast = try #require(GatewayFastJSON.decodePut(ByteBuffer(string: body)), "\(body)")
            let slow = try JSONDecoder().decode(KV.PutRequest.self, from: Data(body.utf8))
            #expect(fast == slow, "\(body)")
        }
    }

    @Test("anything unusual is left to the Codable path")
    func fallsBack() {
        for body in [
            #"{"key": "a\u0062", "value": ""}"#,  // escape
            #"{"key": "YQ==", "key": "Yg=="}"#,  // repeated field
            #"{"key": "YQ==", "ignore_value": true}"#,  // field the fast path does not know
            #"{"key": "Y!==", "value": ""}"#,  // not base64
            #"{"key": "YQ=", "value": ""}"#,  // bad padding
            #"{"key": "YQ==", "value": ""} x"#,  // trailing garbage
            #"{"key": "YQ==", "lease": 1.5}"#,  // not an integer
            #"["key"]"#,
            "",
        ] {
            #expect(GatewayFastJSON.decodePut(ByteBuffer(string: body)) == nil, "\(body)")
        }
    }

    /// JSONEncoder's key order is not stable across processes (it follows dictionary order),
    /// so the two encodings are compared as JSON values, not bytes.
    @Test("put responses encode as JSONEncoder writes them; prevKV goes to Codable")
    func encodesLikeCodable() throws {
        for response in [
            KV.PutResponse(header: KV.ResponseHeader(clusterID: 1, memberID: 2, revision: 3, raftTerm: 4)),
            KV.PutResponse(header: KV.ResponseHeader(clusterID: UInt64.max, memberID: 0, revision: 99, raftTerm: 0)),
            KV.PutResponse(header: nil),
        ] {
            let fast = try #require(GatewayFastJSON.encodePut(response))
            let slow = try JSONEncoder().encode(response)
            let fastValue = try JSONSerialization.jsonObject(with: Data(fast.readableBytesView)) as? NSDictionary
            let slowValue = try JSONSerialization.jsonObject(with: slow) as? NSDictionary
            #expect(fastValue != nil)
            #expect(fastValue == slowValue, "\(String(decoding: fast.readableBytesView, as: UTF8.self))")
            // And the fast path decodes back to the same response.
            #expect(try JSONDecoder().decode(KV.PutResponse.self, from: Data(fast.readableBytesView)) == response)
        }
        #expect(GatewayFastJSON.encodePut(KV.PutResponse(header: nil, prevKV: KV.KeyValue(key: [1]))) == nil)
    }
}
