import CLinuxSystem
import Foundation
import LinuxSystem
import NIOCore
import NIOPosix

/// Connects to 127.0.0.1:port inside a pod's network namespace: the socket is created on a
/// thread of its own that has entered the namespace (a socket stays in the namespace it was
/// made in), then handed to NIO on `eventLoop`. Without a namespace (hostNetwork) the node's
/// loopback is used.
enum NetworkNamespaceDialer {
    struct DialError: Error, CustomStringConvertible {
        var description: String
    }

    static func connect(port: UInt16, networkNamespace: String?, eventLoop: any EventLoop,
                        handler: @escaping @Sendable () -> any ChannelHandler) -> EventLoopFuture<any Channel> {
        let promise = eventLoop.makePromise(of: Int32.self)
        let thread = Thread {
            switch connectedSocket(port: port, networkNamespace: networkNamespace) {
            case .success(let fd): promise.succeed(fd)
            case .failure(let error): promise.fail(error)
            }
        }
        thread.name = "skiff-portforward-dial"
        thread.start()
        return promise.futureResult.flatMap { fd in
            ClientBootstrap(group: eventLoop)
                .channelOption(.allowRemoteHalfClosure, value: true)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(handler()) }
                }
                .withConnectedSocket(fd)
        }
    }

    /// Runs on a dedicated thread: setns only changes the calling thread.
    private static func connectedSocket(port: UInt16, networkNamespace: String?) -> Result<Int32, DialError> {
        var original: Int32 = -1
        if let networkNamespace {
            original = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)
            let target = open(networkNamespace, O_RDONLY | O_CLOEXEC)
            guard target >= 0 else {
                if original >= 0 { close(original) }
                return .failure(DialError(description: "cannot open the pod's network namespace \(networkNamespace): \(String(cString: strerror(errno)))"))
            }
            defer { close(target) }
            guard csys_setns(target, NamespaceKind.network.cloneFlag) == 0 else {
                if original >= 0 { close(original) }
                return .failure(DialError(description: "cannot enter the pod's network namespace: \(String(cString: strerror(errno)))"))
            }
        }
        defer {
            if original >= 0 {
                _ = csys_setns(original, NamespaceKind.network.cloneFlag)
                close(original)
            }
        }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return .failure(DialError(description: "socket: \(String(cString: strerror(errno)))")) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            return .failure(DialError(description: "dial tcp4 127.0.0.1:\(port): connect: \(reason)"))
        }
        return .success(fd)
    }
}
