#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging
@testable import NodeAgent

/// Root-only: sandboxes create namespaces, bridges and veths.
let runningAsRoot = getuid() == 0
let rootRequired = "needs root (network namespaces, bridges, mounts)"

/// A node of its own for one test: a fresh data directory, a unique bridge name and a
/// unique pod CIDR, torn down completely (sandboxes, bridge, IPAM state) even on failure.
struct SandboxTestNode {
    var configuration: KubeletConfiguration
    var cidrThirdOctet: Int
    var gateway: String { "10.250.\(cidrThirdOctet).1" }
    var cidr: String { "10.250.\(cidrThirdOctet).0/24" }

    static func make() -> SandboxTestNode {
        let suffix = String(UInt32.random(in: 0..<UInt32.max), radix: 36)
        let directory = NSTemporaryDirectory() + "skiff-sandbox-test-" + suffix
        let octet = Int.random(in: 1...254)
        let configuration = KubeletConfiguration(
            nodeName: "node-" + suffix, dataDirectory: directory, nodeIP: "127.0.0.1",
            clusterDNS: "10.43.0.10", clusterDomain: "cluster.local",
            podCIDR: "10.250.\(octet).0/24", bridgeName: "skt" + String(suffix.prefix(8)))
        return SandboxTestNode(configuration: configuration, cidrThirdOctet: octet)
    }

    /// Runs `body` with a sandbox manager for this node, then removes everything.
    static func with(_ body: (SandboxTestNode, CNIPodSandboxes) async throws -> Void) async throws {
        let node = make()
        let sandboxes = CNIPodSandboxes(configuration: node.configuration, logger: Logger(label: "test.sandbox"))
        do {
            try await body(node, sandboxes)
        } catch {
            try? await CNIPodSandboxes.cleanUpNode(configuration: node.configuration)
            try? FileManager.default.removeItem(atPath: node.configuration.dataDirectory)
            throw error
        }
        try await CNIPodSandboxes.cleanUpNode(configuration: node.configuration)
        try? FileManager.default.removeItem(atPath: node.configuration.dataDirectory)
    }
}

func linkExists(_ name: String) async throws -> Bool {
    try await CommandRunner.run("/usr/sbin/ip", ["link", "show", "dev", name]).status == 0
}

func mountTable() -> String {
    (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
}

/// Small TCP helpers over raw sockets, so a socket can be created inside a pod's network
/// namespace (it stays there after the creating thread ends).
enum TestSockets {
    struct Failure: Error, CustomStringConvertible { var description: String }

    static func address(_ host: String, _ port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, host, &address.sin_addr)
        return address
    }

    /// A listening socket on `host:port` (port 0: any), optionally in a network namespace;
    /// returns the fd and the port.
    static func listen(_ host: String, port: Int = 0, inNetworkNamespace netns: String? = nil) async throws -> (fd: Int32, port: Int) {
        let make: @Sendable () throws -> (Int32, Int) = {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { throw Failure(description: "socket: \(errno)") }
            var one: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            var address = address(host, port)
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0, Glibc.listen(fd, 16) == 0 else { close(fd); throw Failure(description: "bind \(host):\(port): errno \(errno)") }
            var actual = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &actual) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
            return (fd, Int(UInt16(bigEndian: actual.sin_port)))
        }
        if let netns { return try await NamespaceThread.run(inNetworkNamespace: netns, make) }
        return try make()
    }

    /// Accepts connections on `fd` until it is closed, answering each with `reply`.
    static func serve(_ fd: Int32, reply: String) {
        let thread = Thread {
            while true {
                let client = accept(fd, nil, nil)
                if client < 0 { if errno == EINTR { continue } else { return } }
                _ = reply.withCString { write(client, $0, strlen($0)) }
                close(client)
            }
        }
        thread.start()
    }

    /// Connects to `host:port` (from a network namespace if given) and returns what the
    /// server sent before closing; retries for a while, as routes and ARP settle.
    static func fetch(_ host: String, _ port: Int, fromNetworkNamespace netns: String? = nil) async throws -> String {
        let attempt: @Sendable () throws -> String = {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { throw Failure(description: "socket: \(errno)") }
            defer { close(fd) }
            var timeout = timeval(tv_sec: 3, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var address = address(host, port)
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0 else { throw Failure(description: "connect \(host):\(port): errno \(errno)") }
            var bytes: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 256)
            while true {
                let n = read(fd, &buffer, buffer.count)
                if n <= 0 { break }
                bytes += buffer[0..<n]
            }
            return String(decoding: bytes, as: UTF8.self)
        }
        var lastError: any Error = Failure(description: "no attempt")
        for _ in 0..<20 {
            do {
                if let netns { return try await NamespaceThread.run(inNetworkNamespace: netns, attempt) }
                return try attempt()
            } catch {
                lastError = error
                try await Task.sleep(for: .milliseconds(250))
            }
        }
        throw lastError
    }

    /// A TCP port on loopback nobody listens on right now.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = address("127.0.0.1", 0)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: actual.sin_port))
    }
}
