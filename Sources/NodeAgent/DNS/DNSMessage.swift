/// DNS wire format (RFC 1035, with RFC 2782 SRV, RFC 3596 AAAA and RFC 6891 EDNS): just what
/// a cluster resolver needs — parse one question (and an EDNS OPT record), write answers.

/// Record types the cluster DNS answers (anything else is a name that has no such data).
public enum DNSRecordType: UInt16, Sendable {
    case a = 1, ns = 2, cname = 5, soa = 6, ptr = 12, mx = 15, txt = 16, aaaa = 28, srv = 33, opt = 41, any = 255
}

/// Response codes used here.
public enum DNSResponseCode: UInt8, Sendable {
    case noError = 0, formatError = 1, serverFailure = 2, nameError = 3, notImplemented = 4, refused = 5
}

/// The data of one resource record.
public enum DNSRecordData: Sendable, Hashable {
    case a([UInt8])
    case aaaa([UInt8])
    case cname(String)
    case ptr(String)
    case srv(priority: UInt16, weight: UInt16, port: UInt16, target: String)
    case soa(primary: String, mailbox: String, serial: UInt32, refresh: UInt32, retry: UInt32, expire: UInt32, minimum: UInt32)

    var type: DNSRecordType {
        switch self {
        case .a: return .a
        case .aaaa: return .aaaa
        case .cname: return .cname
        case .ptr: return .ptr
        case .srv: return .srv
        case .soa: return .soa
        }
    }
}

public struct DNSResourceRecord: Sendable, Hashable {
    public var name: String
    public var ttl: UInt32
    public var data: DNSRecordData

    public init(name: String, ttl: UInt32, data: DNSRecordData) {
        self.name = name
        self.ttl = ttl
        self.data = data
    }
}

/// A parsed query: its id and flags, the one question, and the client's EDNS payload size.
public struct DNSQuery: Sendable {
    public var id: UInt16
    public var opcode: UInt8
    public var recursionDesired: Bool
    /// The name as asked (case kept for the answer), without the trailing dot.
    public var name: String
    public var type: UInt16
    public var qclass: UInt16
    /// The requester's UDP payload size from an OPT record, nil without EDNS.
    public var ednsPayloadSize: Int?
}

public enum DNSParseError: Error, Sendable, Equatable {
    case truncated
    case notAQuery
    case badQuestionCount(Int)
    case badName(String)
}

enum DNSWire {
    /// Parses the header, the single question and any OPT record in the additional section.
    static func parseQuery(_ bytes: [UInt8]) throws(DNSParseError) -> DNSQuery {
        guard bytes.count >= 12 else { throw .truncated }
        let id = UInt16(bytes[0]) << 8 | UInt16(bytes[1])
        let flags = UInt16(bytes[2]) << 8 | UInt16(bytes[3])
        guard flags & 0x8000 == 0 else { throw .notAQuery }
        let qdcount = Int(bytes[4]) << 8 | Int(bytes[5])
        let ancount = Int(bytes[6]) << 8 | Int(bytes[7])
        let nscount = Int(bytes[8]) << 8 | Int(bytes[9])
        let arcount = Int(bytes[10]) << 8 | Int(bytes[11])
        guard qdcount == 1 else { throw .badQuestionCount(qdcount) }
        var offset = 12
        let name = try readName(bytes, &offset)
        guard offset + 4 <= bytes.count else { throw .truncated }
        let type = UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
        let qclass = UInt16(bytes[offset + 2]) << 8 | UInt16(bytes[offset + 3])
        offset += 4
        var edns: Int?
        // Skip answers and authority (queries carry none, but be lenient), then look for OPT.
        for index in 0..<(ancount + nscount + arcount) {
            _ = try readName(bytes, &offset)
            guard offset + 10 <= bytes.count else { throw .truncated }
            let rtype = UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
            let rclass = Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            let length = Int(bytes[offset + 8]) << 8 | Int(bytes[offset + 9])
            offset += 10 + length
            guard offset <= bytes.count else { throw .truncated }
            if index >= ancount + nscount, rtype == DNSRecordType.opt.rawValue { edns = max(512, rclass) }
        }
        return DNSQuery(id: id, opcode: UInt8((flags >> 11) & 0xF), recursionDesired: flags & 0x0100 != 0,
                        name: name, type: type, qclass: qclass, ednsPayloadSize: edns)
    }

    /// A name at `offset` (following compression pointers), dot-separated without the final dot.
    static func readName(_ bytes: [UInt8], _ offset: inout Int) throws(DNSParseError) -> String {
        var labels: [String] = []
        var position = offset
        var jumped = false
        var jumps = 0
        var length = 0
        while true {
            guard position < bytes.count else { throw .truncated }
            let count = Int(bytes[position])
            if count == 0 {
                position += 1
                break
            }
            if count & 0xC0 == 0xC0 {
                guard position + 1 < bytes.count else { throw .truncated }
                jumps += 1
                guard jumps < 32 else { throw .badName("compression loop") }
                let target = (count & 0x3F) << 8 | Int(bytes[position + 1])
                if !jumped { offset = position + 2 }
                jumped = true
                position = target
                continue
            }
            guard count <= 63 else { throw .badName("label longer than 63 bytes") }
            guard position + 1 + count <= bytes.count else { throw .truncated }
            length += count + 1
            guard length <= 255 else { throw .badName("name longer than 255 bytes") }
            labels.append(String(decoding: bytes[(position + 1)...(position + count)], as: UTF8.self))
            position += 1 + count
        }
        if !jumped { offset = position }
        return labels.joined(separator: ".")
    }

    static func appendName(_ name: String, to out: inout [UInt8]) {
        for label in name.split(separator: ".", omittingEmptySubsequences: true) {
            let bytes = Array(label.utf8.prefix(63))
            out.append(UInt8(bytes.count))
            out.append(contentsOf: bytes)
        }
        out.append(0)
    }

    static func append16(_ value: UInt16, to out: inout [UInt8]) {
        out.append(UInt8(value >> 8))
        out.append(UInt8(value & 0xFF))
    }

    static func append32(_ value: UInt32, to out: inout [UInt8]) {
        append16(UInt16(value >> 16), to: &out)
        append16(UInt16(value & 0xFFFF), to: &out)
    }

    static func appendRecord(_ record: DNSResourceRecord, to out: inout [UInt8]) {
        appendName(record.name, to: &out)
        append16(record.data.type.rawValue, to: &out)
        append16(1, to: &out)
        append32(record.ttl, to: &out)
        var rdata: [UInt8] = []
        switch record.data {
        case .a(let bytes), .aaaa(let bytes): rdata = bytes
        case .cname(let target), .ptr(let target): appendName(target, to: &rdata)
        case .srv(let priority, let weight, let port, let target):
            append16(priority, to: &rdata)
            append16(weight, to: &rdata)
            append16(port, to: &rdata)
            appendName(target, to: &rdata)
        case .soa(let primary, let mailbox, let serial, let refresh, let retry, let expire, let minimum):
            appendName(primary, to: &rdata)
            appendName(mailbox, to: &rdata)
            for value in [serial, refresh, retry, expire, minimum] { append32(value, to: &rdata) }
        }
        append16(UInt16(rdata.count), to: &out)
        out.append(contentsOf: rdata)
    }

    /// A complete response. With `maxSize` (UDP), records that do not fit are dropped and the
    /// TC bit set, so the client retries over TCP.
    static func response(to query: DNSQuery, code: DNSResponseCode, authoritative: Bool, answers: [DNSResourceRecord],
                         authority: [DNSResourceRecord], additional: [DNSResourceRecord], maxSize: Int?) -> [UInt8] {
        func build(_ answers: [DNSResourceRecord], _ authority: [DNSResourceRecord], _ additional: [DNSResourceRecord],
                   truncated: Bool) -> [UInt8] {
            var out: [UInt8] = []
            out.reserveCapacity(512)
            append16(query.id, to: &out)
            var flags: UInt16 = 0x8000 | UInt16(query.opcode & 0xF) << 11
            if authoritative { flags |= 0x0400 }
            if truncated { flags |= 0x0200 }
            if query.recursionDesired { flags |= 0x0100 }
            flags |= 0x0080
            flags |= UInt16(code.rawValue)
            append16(flags, to: &out)
            append16(1, to: &out)
            append16(UInt16(answers.count), to: &out)
            append16(UInt16(authority.count), to: &out)
            append16(UInt16(additional.count + (query.ednsPayloadSize != nil ? 1 : 0)), to: &out)
            appendName(query.name, to: &out)
            append16(query.type, to: &out)
            append16(query.qclass, to: &out)
            for record in answers + authority + additional { appendRecord(record, to: &out) }
            if query.ednsPayloadSize != nil {
                // OPT: root name, our payload size, no extended flags.
                out.append(0)
                append16(DNSRecordType.opt.rawValue, to: &out)
                append16(UInt16(DNSServerLimits.ednsPayloadSize), to: &out)
                append32(0, to: &out)
                append16(0, to: &out)
            }
            return out
        }
        let full = build(answers, authority, additional, truncated: false)
        guard let maxSize, full.count > maxSize else { return full }
        let withoutAdditional = build(answers, authority, [], truncated: false)
        if withoutAdditional.count <= maxSize { return withoutAdditional }
        return build([], [], [], truncated: true)
    }

    /// A bare error response (FORMERR, SERVFAIL, NOTIMP, REFUSED) echoing the question when
    /// there is one.
    static func errorResponse(id: UInt16, query: DNSQuery?, code: DNSResponseCode) -> [UInt8] {
        if let query { return response(to: query, code: code, authoritative: false, answers: [], authority: [],
                                       additional: [], maxSize: nil) }
        var out: [UInt8] = []
        append16(id, to: &out)
        append16(0x8000 | 0x0080 | UInt16(code.rawValue), to: &out)
        out.append(contentsOf: [0, 0, 0, 0, 0, 0, 0, 0])
        return out
    }
}

enum DNSServerLimits {
    /// The EDNS payload size we advertise and honour (the DNS flag day 2020 value).
    static let ednsPayloadSize = 1232
    static let classicUDPSize = 512
}
