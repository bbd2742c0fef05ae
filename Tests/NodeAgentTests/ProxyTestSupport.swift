import Foundation
import Testing
@testable import NodeAgent

/// Three "pods" as network namespaces on a test bridge, each running a TCP server that
/// answers every connection with its own name; and a client for the host or inside a pod.
/// Everything is removed by `tearDown`, also after a failed test.
final class ProxyTestNetwork: @unchecked Sendable {
    // @unchecked: only the test's own task touches it.
    let tag: String
    let bridge: String
    let subnet: Int
    var namespaces: [String] = []
    var servers: [Process] = []

    init() throws {
        tag = String(UInt32.random(in: 0..<0xFFFF), radix: 16)
        bridge = "spx" + tag
        subnet = Int.random(in: 10..<250)
        try Self.ip(["link", "add", bridge, "type", "bridge"])
        try Self.ip(["addr", "add", "\(gateway)/24", "dev", bridge])
        try Self.ip(["link", "set", bridge, "up"])
        // Service addresses are routed onto the test bridge: a packet the rules miss stays in
        // this machine's own test network.
        try Self.ip(["route", "add", "10.252.\(subnet).0/24", "dev", bridge])
    }

    var gateway: String { "10.251.\(subnet).1" }
    func podIP(_ index: Int) -> String { "10.251.\(subnet).\(10 + index)" }
    func serviceIP(_ index: Int) -> String { "10.252.\(subnet).\(10 + index)" }

    /// Adds pod `index` with a server on `port` answering "pod-<index>".
    func addPod(_ index: Int, port: Int = 8080) throws {
        let namespace = "spx\(tag)-\(index)"
        try Self.ip(["netns", "add", namespace])
        namespaces.append(namespace)
        let host = "spx\(tag)h\(index)", peer = "spx\(tag)p\(index)"
        try Self.ip(["link", "add", host, "type", "veth", "peer", "name", peer])
        try Self.ip(["link", "set", peer, "netns", namespace])
        try Self.ip(["link", "set", host, "master", bridge])
        try Self.ip(["link", "set", host, "type", "bridge_slave", "hairpin", "on"])
        try Self.ip(["link", "set", host, "up"])
        try Self.ip(["-n", namespace, "link", "set", "lo", "up"])
        try Self.ip(["-n", namespace, "addr", "add", "\(podIP(index))/24", "dev", peer])
        try Self.ip(["-n", namespace, "link", "set", peer, "up"])
        try Self.ip(["-n", namespace, "route", "add", "default", "via", gateway])
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
        server.arguments = ["netns", "exec", namespace, "python3", "-c", Self.serverScript, "pod-\(index)", "\(port)"]
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        servers.append(server)
        // Wait until it accepts.
        for _ in 0..<200 {
            if (try? connect(ip: podIP(index), port: port)) == "pod-\(index)" { return }
            usleep(20_000)
        }
        throw ProxyTestError("pod-\(index)'s server did not start")
    }

    static let serverScript = """
    import socket, sys, threading
    name, port = sys.argv[1].encode(), int(sys.argv[2])
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port)); s.listen(128)
    while True:
        c, _ = s.accept()
        try: c.sendall(name)
        finally: c.close()
    """

    /// Connects from the host (or from inside `namespace`) and returns what the server said.
    func connect(ip: String, port: Int, from namespace: String? = nil) throws -> String {
        if let namespace {
            let script = "import socket,sys\ns=socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3)\nprint(s.recv(64).decode())"
            return try Self.run("/usr/sbin/ip", ["netns", "exec", namespace, "python3", "-c", script, ip, "\(port)"])
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ProxyTestError("socket: \(errno)") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 3, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr(ip)
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { throw ProxyConnectError(errno: errno) }
        var buffer = [UInt8](repeating: 0, count: 64)
        let n = recv(fd, &buffer, buffer.count, 0)
        guard n > 0 else { throw ProxyTestError("no answer from \(ip):\(port)") }
        return String(decoding: buffer[0..<n], as: UTF8.self)
    }

    func tearDown() {
        // SIGKILL: a child of the test runner inherits its blocked signals, SIGTERM may never land.
        for server in servers where server.isRunning {
            kill(server.processIdentifier, SIGKILL)
            server.waitUntilExit()
        }
        for namespace in namespaces { _ = try? Self.ip(["netns", "delete", namespace]) }
        _ = try? Self.ip(["link", "delete", bridge])
    }

    @discardableResult
    static func ip(_ arguments: [String]) throws -> String { try run("/usr/sbin/ip", arguments) }

    @discardableResult
    static func run(_ tool: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ProxyTestError("\(tool) \(arguments.joined(separator: " ")): \(String(decoding: errors, as: UTF8.self))")
        }
        return String(decoding: output, as: UTF8.self)
    }
}

struct ProxyTestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

struct ProxyConnectError: Error {
    var errno: Int32
}
