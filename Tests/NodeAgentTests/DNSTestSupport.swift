import Foundation
import NIOCore
import NIOPosix
@testable import NodeAgent

enum DNSTestSupport {
    static let digPath: String? = ["/usr/bin/dig", "/bin/dig"].first { FileManager.default.isExecutableFile(atPath: $0) }

    struct DigResult {
        var status: String
        var flags: [String]
        var answers: [String]
        var authority: [String]
        var additional: [String]
    }

    /// `dig` against 127.0.0.1:port; sections parsed from its output, whitespace collapsed.
    static func dig(_ port: Int, _ name: String, _ type: String, tcp: Bool = false) throws -> DigResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: digPath ?? "/usr/bin/dig")
        process.arguments = ["@127.0.0.1", "-p", "\(port)", name, type, "+tries=1", "+time=3", "+nocookie"] + (tcp ? ["+tcp"] : [])
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        var result = DigResult(status: "", flags: [], answers: [], authority: [], additional: [])
        var section = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.contains("status:"), let status = line.split(separator: "status: ").last?.split(separator: ",").first {
                result.status = String(status)
            }
            if line.hasPrefix(";; flags:"), let flags = line.split(separator: ";").first(where: { $0.contains("flags:") }) {
                result.flags = flags.replacingOccurrences(of: "flags:", with: "").split(separator: " ").map(String.init)
            }
            if line.hasPrefix(";; ANSWER SECTION") { section = "answer"; continue }
            if line.hasPrefix(";; AUTHORITY SECTION") { section = "authority"; continue }
            if line.hasPrefix(";; ADDITIONAL SECTION") { section = "additional"; continue }
            if line.isEmpty { section = ""; continue }
            guard !line.hasPrefix(";") else { continue }
            let record = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
            switch section {
            case "answer": result.answers.append(record)
            case "authority": result.authority.append(record)
            case "additional": result.additional.append(record)
            default: break
            }
        }
        return result
    }

    /// Sends raw bytes over UDP and returns the reply.
    static func rawUDP(_ port: Int, _ bytes: [UInt8]) throws -> [UInt8] {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 3, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let sent = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, bytes, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard sent == bytes.count else { throw POSIXError(.EIO) }
        var reply = [UInt8](repeating: 0, count: 1500)
        let received = recv(fd, &reply, reply.count, 0)
        guard received > 0 else { throw POSIXError(.ETIMEDOUT) }
        return Array(reply[0..<received])
    }

    /// An upstream resolver stand-in on loopback: every query gets one A record 192.0.2.1.
    final class FakeUpstream: Sendable {
        let channel: Channel
        var port: Int { channel.localAddress?.port ?? 0 }

        init(channel: Channel) { self.channel = channel }

        static func start() async throws -> FakeUpstream {
            let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Answerer()) }
                }
                .bind(host: "127.0.0.1", port: 0).get()
            return FakeUpstream(channel: channel)
        }

        func stop() { channel.close(promise: nil) }

        final class Answerer: ChannelInboundHandler, Sendable {
            typealias InboundIn = AddressedEnvelope<ByteBuffer>
            typealias OutboundOut = AddressedEnvelope<ByteBuffer>
            func channelRead(context: ChannelHandlerContext, data: NIOAny) {
                let envelope = unwrapInboundIn(data)
                guard let query = try? DNSWire.parseQuery(Array(envelope.data.readableBytesView)) else { return }
                let reply = DNSWire.response(to: query, code: .noError, authoritative: false,
                                             answers: [DNSResourceRecord(name: query.name, ttl: 60, data: .a([192, 0, 2, 1]))],
                                             authority: [], additional: [], maxSize: nil)
                context.writeAndFlush(wrapOutboundOut(AddressedEnvelope(remoteAddress: envelope.remoteAddress,
                                                                         data: ByteBuffer(bytes: reply))), promise: nil)
            }
        }
    }
}
