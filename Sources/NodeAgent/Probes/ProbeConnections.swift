#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Foundation

/// TCP connections with a deadline, for tcpSocket and httpGet probes and hooks: plain
/// sockets, because a probe is one short exchange and must never wait past its timeout.
enum ProbeConnections {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Connects to `host:port` (IPv4 or IPv6 literal, or a name) within `timeout`; returns the socket.
    static func connect(host: String, port: Int, timeout: Duration) throws -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &result) == 0, let first = result else {
            throw Failure(description: "cannot resolve \(host)")
        }
        defer { freeaddrinfo(result) }
        let fd = socket(first.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        if Glibc.connect(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) != 0 && errno != EINPROGRESS {
            let message = String(cString: strerror(errno))
            close(fd)
            throw Failure(description: "dial tcp \(host):\(port): connect: \(message)")
        }
        var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        let ready = poll(&pfd, 1, milliseconds(timeout))
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
        guard ready == 1, error == 0 else {
            close(fd)
            let reason = ready == 0 ? "i/o timeout" : "connect: \(String(cString: strerror(error)))"
            throw Failure(description: "dial tcp \(host):\(port): \(reason)")
        }
        return fd
    }

    static func milliseconds(_ duration: Duration) -> Int32 {
        let (seconds, attoseconds) = duration.components
        return Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000)
    }

    /// An HTTP/1.1 GET; returns the status code. Success for a probe is 200…399.
    static func httpGet(host: String, port: Int, path: String, headers: [(String, String)], timeout: Duration) throws -> Int {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        let fd = try connect(host: host, port: port, timeout: timeout)
        defer { close(fd) }
        let hostHeader = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        var request = "GET \(path.isEmpty ? "/" : path) HTTP/1.1\r\n"
        var names = Set<String>()
        for (name, value) in headers {
            names.insert(name.lowercased())
            request += "\(name): \(value)\r\n"
        }
        if !names.contains("host") { request += "Host: \(hostHeader)\r\n" }
        if !names.contains("user-agent") { request += "User-Agent: kube-probe/1.32\r\n" }
        if !names.contains("accept") { request += "Accept: */*\r\n" }
        request += "Connection: close\r\n\r\n"
        var bytes = Array(request.utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeMutableBytes { send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if n > 0 { sent += n; continue }
            guard n < 0, errno == EAGAIN else { throw Failure(description: "sending the request failed") }
            try wait(fd, events: POLLOUT, until: deadline)
        }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !response.contains(UInt8(ascii: "\n")) {
            try wait(fd, events: POLLIN, until: deadline)
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 { response += buffer[0..<n]; continue }
            if n < 0 && errno == EAGAIN { continue }
            break
        }
        let line = String(decoding: response.prefix { $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\n") }, as: UTF8.self)
        let parts = line.split(separator: " ")
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/"), let code = Int(parts[1]) else {
            throw Failure(description: "malformed HTTP response \(line.debugDescription)")
        }
        return code
    }

    private static func wait(_ fd: Int32, events: Int32, until deadline: ContinuousClock.Instant) throws {
        let remaining = deadline - ContinuousClock.now
        guard remaining > .zero else { throw Failure(description: "context deadline exceeded") }
        var pfd = pollfd(fd: fd, events: Int16(events), revents: 0)
        guard poll(&pfd, 1, max(milliseconds(remaining), 1)) == 1 else { throw Failure(description: "context deadline exceeded") }
    }
}
