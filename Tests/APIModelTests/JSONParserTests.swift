import Foundation
import Testing

@testable import APIModel

@Suite("JSON parser and serializer")
struct JSONParserTests {
    func parse(_ text: String, _ options: JSONParseOptions = JSONParseOptions()) throws -> JSONValue {
        try JSONValue.parse(text, options: options).value
    }

    func error(_ text: String, _ options: JSONParseOptions = JSONParseOptions()) -> JSONParseError? {
        do {
            _ = try JSONValue.parse(text, options: options)
            return nil
        } catch let e as JSONParseError {
            return e
        } catch {
            return nil
        }
    }

    @Test("valid documents parse to the expected values", arguments: [
        ("null", JSONValue.null),
        ("true", .bool(true)),
        (" false ", .bool(false)),
        ("0", .int(0)),
        ("-12", .int(-12)),
        ("1.5", .double(1.5)),
        ("1e3", .double(1000)),
        ("-0.25E-2", .double(-0.0025)),
        ("\"a\\\"b\\\\c\\/d\\n\"", .string("a\"b\\c/d\n")),
        ("[]", .array([])),
        ("{}", .emptyObject),
        ("[1,[2,{\"a\":null}]]", .array([.int(1), .array([.int(2), ["a": .null]])])),
    ])
    func valid(text: String, expected: JSONValue) throws {
        #expect(try parse(text) == expected)
    }

    @Test func objectsKeepKeyOrder() throws {
        let value = try parse(#"{"z":1,"a":2,"m":{"y":1,"b":2}}"#)
        #expect(value.objectValue?.keys == ["z", "a", "m"])
        #expect(value["m"]?.objectValue?.keys == ["y", "b"])
        #expect(value.jsonString() == #"{"z":1,"a":2,"m":{"y":1,"b":2}}"#)
    }

    @Test func bigIntegersStayExact() throws {
        #expect(try parse("9223372036854775807") == .int(Int64.max))
        #expect(try parse("-9223372036854775808") == .int(Int64.min))
        // One past Int64 falls back to Double rather than failing.
        #expect(try parse("9223372036854775808") == .double(9_223_372_036_854_775_808))
        #expect(try parse("123456789012345678").jsonString() == "123456789012345678")
    }

    @Test func unicodeEscapesAndSurrogatePairs() throws {
        #expect(try parse(#""\u00e9\u4e2d""#) == .string("é中"))
        #expect(try parse(#""\ud83d\ude00""#) == .string("😀"))
        // A lone surrogate decodes to U+FFFD, as Go does.
        #expect(try parse(#""\ud83dx""#) == .string("\u{FFFD}x"))
        #expect(try parse(#""\ude00""#) == .string("\u{FFFD}"))
        // Raw UTF-8 passes through.
        #expect(try parse("\"naïve 😀\"") == .string("naïve 😀"))
    }

    @Test("invalid documents fail with Go's wording and a position", arguments: [
        ("{\"a\":1,}", "invalid character '}' looking for beginning of object key string", 1, 8),
        ("[1,2", "unexpected end of JSON input", 1, 5),
        ("{\n  \"a\": 1,\n  x\n}", "invalid character 'x' looking for beginning of object key string", 3, 3),
        ("[1 2]", "invalid character '2' after array element", 1, 4),
        ("{\"a\" 1}", "invalid character '1' after object key", 1, 6),
        ("{\"a\":1 \"b\"}", "invalid character '\"' after object key:value pair", 1, 8),
        ("01", "invalid character '1' after top-level value", 1, 2),
        ("\"a\tb\"", "invalid character '\\x09' in string literal", 1, 3),
        ("\"\\q\"", "invalid character 'q' in string escape code", 1, 3),
        ("\"\\u12x4\"", "invalid character 'x' in \\u hexadecimal character escape", 1, 6),
        ("-", "unexpected end of JSON input", 1, 2),
        ("tru", "unexpected end of JSON input", 1, 4),
        ("nul!", "invalid character '!' in literal null (expecting 'l')", 1, 4),
        ("1.", "unexpected end of JSON input", 1, 3),
        ("[.5]", "invalid character '.' looking for beginning of value", 1, 2),
    ])
    func invalid(text: String, message: String, line: Int, column: Int) throws {
        let e = try #require(error(text))
        #expect(e.message == message)
        #expect(e.line == line)
        #expect(e.column == column)
        #expect(e.description.contains("at line \(line), column \(column)"))
    }

    @Test func duplicateKeysAreReportedWithTheirPath() throws {
        let text = #"{"metadata":{"name":"a","name":"b"},"spec":{"containers":[{"name":"c","image":"x","image":"y"}]}}"#
        let result = try JSONValue.parse(text)
        #expect(result.duplicates == ["metadata.name", "spec.containers[0].image"])
        // The last value wins, as in Go.
        #expect(result.value["metadata"]?["name"] == "b")
        #expect(result.value["spec"]?["containers"]?[0]?["image"] == "y")

        let e = try #require(error(text, JSONParseOptions(duplicateKeys: .reject)))
        #expect(e.message == #"duplicate field "metadata.name""#)
    }

    @Test func duplicateDetectionInLargeObjects() throws {
        var members = (0..<100).map { "\"k\($0)\":\($0)" }
        members.append("\"k42\":0")
        let result = try JSONValue.parse("{" + members.joined(separator: ",") + "}")
        #expect(result.duplicates == ["k42"])
        #expect(result.value["k42"] == 0)
        #expect(result.value.objectValue?.count == 100)
    }

    @Test func depthBombIsRejected() throws {
        let bomb = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let e = try #require(error(bomb))
        #expect(e.message == "exceeded max depth of 1000")
        let ok = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        #expect(throws: Never.self) { try parse(ok) }
    }

    @Test func sizeLimitIsEnforced() throws {
        let e = try #require(error("[1,2,3]", JSONParseOptions(maxBytes: 4)))
        #expect(e.message.contains("exceeds the limit of 4 bytes"))
    }

    @Test func serializerEscapesLikeGo() throws {
        let value: JSONValue = ["s": .string("a\"b\\c\n\t\u{01}<>&\u{2028}é")]
        #expect(value.jsonString() == #"{"s":"a\"b\\c\n\t\u0001<>&\u2028é"}"#)
        #expect(value.jsonString(options: JSONSerializationOptions(escapeHTML: true)) == #"{"s":"a\"b\\c\n\t\u0001\u003c\u003e\u0026\u2028é"}"#)
    }

    @Test("doubles are formatted as Go formats float64", arguments: [
        (1.0, "1"), (1.5, "1.5"), (-0.25, "-0.25"), (1e20, "100000000000000000000"), (1e21, "1e+21"),
        (0.000001, "0.000001"), (0.0000001, "1e-7"), (123456.789, "123456.789"), (1.5e-7, "1.5e-7"), (2.5e300, "2.5e+300"),
    ])
    func doubles(value: Double, expected: String) {
        #expect(JSONValue.double(value).jsonString() == expected)
    }

    @Test func roundTripIsByteExact() throws {
        let text = #"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"b":"1","a":"2"}},"spec":{"containers":[{"name":"c","image":"busybox","args":["sh","-c","echo \"hi\""]}],"n":-3,"f":0.5,"t":true,"z":null}}"#
        #expect(try parse(text).jsonString() == text)
        #expect(try JSONValue.parse(Data(text.utf8)).value.encoded() == Array(text.utf8))
    }

    @Test func prettyOutput() throws {
        let value = try parse(#"{"a":[1,2],"b":{}}"#)
        #expect(value.jsonString(options: JSONSerializationOptions(pretty: true)) == "{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": {}\n}")
    }

    @Test func equalityIgnoresObjectOrderAndNumberRepresentation() throws {
        #expect(try parse(#"{"a":1,"b":2}"#) == parse(#"{"b":2,"a":1.0}"#))
        #expect(try parse(#"{"a":1}"#) != parse(#"{"a":1.5}"#))
    }

    @Test func jsonPointer() throws {
        let doc = try parse(#"{"a/b":{"m~n":[10,20]},"":1}"#)
        #expect(try JSONPointer("/a~1b/m~0n/1").resolve(in: doc) == 20)
        #expect(try JSONPointer("/").resolve(in: doc) == 1)
        #expect(try JSONPointer("").resolve(in: doc) == doc)
        #expect(try JSONPointer("/a~1b/m~0n/01").resolve(in: doc) == nil)
        #expect(try JSONPointer("/a~1b/m~0n/2").resolve(in: doc) == nil)
        #expect(try JSONPointer("/a~1b/m~0n").description == "/a~1b/m~0n")
        #expect(throws: JSONPointerError.self) { try JSONPointer("a") }
        #expect(throws: JSONPointerError.self) { try JSONPointer("/a~2") }
    }
}
