#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging
import Testing
@testable import NodeAgent

/// Real sandboxes on a bridge of their own: namespaces, CNI reference plugins, traffic.
@Suite(.serialized, .enabled(if: runningAsRoot, "\(rootRequired)"))
struct SandboxNetworkTests {
    func request(_ name: String, uid: String = UUID().uuidString.lowercased(), ports: [PortMapping] = [],
                 subdomain: String? = nil) -> PodSandboxRequest {
        PodSandboxRequest(podUID: uid, namespace: "team", name: name, hostname: name, subdomain: subdomain,
                          hostAliases: [(ip: "10.1.2.3", hostnames: ["alias-one", "alias-two"])], portMappings: ports)
    }

    @Test func twoPodsOnOneBridgeGetDistinctAddressesAndTalk() async throws {
        try await SandboxTestNode.with { node, sandboxes in
            try await sandboxes.setPodCIDR(node.cidr)
            let a = try await sandboxes.setUp(request("pod-a"))
            let b = try await sandboxes.setUp(request("pod-b"))
            let ipA = try #require(a.podIPs.first), ipB = try #require(b.podIPs.first)
            #expect(ipA != ipB)
            #expect(ipA.hasPrefix("10.250.\(node.cidrThirdOctet).") && ipB.hasPrefix("10.250.\(node.cidrThirdOctet)."))
            #expect(try await linkExists(node.configuration.bridgeName))

            // A server in pod A, reached from pod B.
            let netnsA = try #require(a.networkNamespacePath), netnsB = try #require(b.networkNamespacePath)
            let server = try await TestSockets.listen("0.0.0.0", port: 8080, inNetworkNamespace: netnsA)
            TestSockets.serve(server.fd, reply: "hello from a")
            defer { shutdown(server.fd, Int32(SHUT_RDWR)); close(server.fd) }
            #expect(try await TestSockets.fetch(ipA, 8080, fromNetworkNamespace: netnsB) == "hello from a")

            // The gateway (the bridge's address on the node) is reachable from a pod.
            let onGateway = try await TestSockets.listen(node.gateway)
            TestSockets.serve(onGateway.fd, reply: "node")
            defer { shutdown(onGateway.fd, Int32(SHUT_RDWR)); close(onGateway.fd) }
            #expect(try await TestSockets.fetch(node.gateway, onGateway.port, fromNetworkNamespace: netnsB) == "node")

            // The uts namespace carries the pod's hostname.
            let hostname = try await NamespaceThread.run {
                try NamespaceThread.enter(b.utsNamespacePath ?? "", kind: .uts)
                var buffer = [CChar](repeating: 0, count: 256)
                gethostname(&buffer, buffer.count)
                return String(cString: buffer)
            }
            #expect(hostname == "pod-b")
        }
    }

    @Test func hostPortMapsALoopbackPortToThePod() async throws {
        try await SandboxTestNode.with { node, sandboxes in
            try await sandboxes.setPodCIDR(node.cidr)
            let hostPort = try TestSockets.freePort()
            let pod = try await sandboxes.setUp(request("web", ports: [PortMapping(hostPort: hostPort, containerPort: 8080)]))
            let netns = try #require(pod.networkNamespacePath)
            let server = try await TestSockets.listen("0.0.0.0", port: 8080, inNetworkNamespace: netns)
            TestSockets.serve(server.fd, reply: "mapped")
            defer { shutdown(server.fd, Int32(SHUT_RDWR)); close(server.fd) }
            #expect(try await TestSockets.fetch("127.0.0.1", hostPort) == "mapped")

            try await sandboxes.tearDown(podUID: pod.podUID)
            let rules = try await CommandRunner.check("/usr/sbin/iptables", ["-t", "nat", "-S"])
            #expect(!rules.contains("--dport \(hostPort)"), "the hostPort's DNAT rule is gone after tear-down")
        }
    }

    @Test func hostsAndResolverFiles() async throws {
        try await SandboxTestNode.with { node, sandboxes in
            try await sandboxes.setPodCIDR(node.cidr)
            let pod = try await sandboxes.setUp(request("db-0", subdomain: "db"))
            let ip = try #require(pod.podIPs.first)
            let hosts = try String(contentsOfFile: pod.hostsFilePath, encoding: .utf8)
            #expect(hosts.contains("127.0.0.1\tlocalhost"))
            #expect(hosts.contains("\(ip)\tdb-0.db.team.svc.cluster.local\tdb-0"))
            #expect(hosts.contains("10.1.2.3\talias-one\talias-two"))
            let resolv = try String(contentsOfFile: pod.resolvConfPath, encoding: .utf8)
            #expect(resolv.contains("nameserver 10.43.0.10"))
            #expect(resolv.contains("search team.svc.cluster.local svc.cluster.local cluster.local"))
            #expect(resolv.contains("options ndots:5"))
            #expect(try String(contentsOfFile: pod.hostnameFilePath, encoding: .utf8) == "db-0\n")
        }
    }

    @Test func restartedManagerFindsSandboxesAndTearDownRemovesEverything() async throws {
        try await SandboxTestNode.with { node, sandboxes in
            try await sandboxes.setPodCIDR(node.cidr)
            let uid = UUID().uuidString.lowercased()
            let first = try await sandboxes.setUp(request("keep", uid: uid))

            // A new manager (an agent restart) sees the sandbox; set-up again returns it unchanged.
            let restarted = CNIPodSandboxes(configuration: node.configuration, logger: Logger(label: "test.restarted"))
            #expect(await restarted.existing(podUID: uid) == first)
            #expect(await restarted.all().map(\.podUID) == [uid])
            #expect(try await restarted.setUp(request("keep", uid: uid)) == first)

            let ipamDirectory = node.configuration.dataDirectory + "/cni/host-local/skiff"
            let ip = try #require(first.podIPs.first)
            #expect(FileManager.default.fileExists(atPath: ipamDirectory + "/" + ip))
            let hostVeths = try await CommandRunner.check("/usr/sbin/ip", ["-o", "link", "show", "master", node.configuration.bridgeName])
            #expect(hostVeths.contains("veth"))

            try await restarted.tearDown(podUID: uid)
            #expect(await restarted.existing(podUID: uid) == nil)
            #expect(await restarted.all().isEmpty)
            #expect(!mountTable().contains(node.configuration.dataDirectory), "no namespace mount is left")
            #expect(!FileManager.default.fileExists(atPath: ipamDirectory + "/" + ip), "the address is released")
            let remaining = try await CommandRunner.check("/usr/sbin/ip", ["-o", "link", "show", "master", node.configuration.bridgeName])
            #expect(!remaining.contains("veth"), "the pod's veth is gone")
            try await restarted.tearDown(podUID: uid)  // a second tear-down does nothing

            // cleanUpNode removes the bridge itself.
            try await CNIPodSandboxes.cleanUpNode(configuration: node.configuration)
            #expect(try await !linkExists(node.configuration.bridgeName))
        }
    }

    @Test func hostNetworkPodsGetOnlyAnIPCNamespace() async throws {
        try await SandboxTestNode.with { node, sandboxes in
            var hostPod = request("agent")
            hostPod.hostNetwork = true
            let sandbox = try await sandboxes.setUp(hostPod)
            #expect(sandbox.networkNamespacePath == nil && sandbox.utsNamespacePath == nil)
            #expect(sandbox.podIPs == [node.configuration.nodeIP])
            let ipc = try #require(sandbox.ipcNamespacePath)
            #expect(PersistentNamespaces.isNamespaceMount(ipc))
            let hosts = try String(contentsOfFile: sandbox.hostsFilePath, encoding: .utf8)
            #expect(hosts.hasPrefix(try String(contentsOfFile: "/etc/hosts", encoding: .utf8)))
            #expect(try await !linkExists(node.configuration.bridgeName), "no bridge for host-network pods")
            try await sandboxes.tearDown(podUID: sandbox.podUID)
            #expect(!FileManager.default.fileExists(atPath: ipc))
        }
    }

    @Test func aFailingPluginLeavesNothingBehind() async throws {
        try await SandboxTestNode.with { node, _ in
            var configuration = node.configuration
            configuration.cniBinDirectory = configuration.dataDirectory + "/no-plugins"
            let sandboxes = CNIPodSandboxes(configuration: configuration, logger: Logger(label: "test.broken"))
            try await sandboxes.setPodCIDR(node.cidr)
            let pod = request("broken")
            do {
                _ = try await sandboxes.setUp(pod)
                Issue.record("set-up succeeded without plugins")
            } catch let error as SandboxError {
                #expect("\(error)".contains("not found in \(configuration.cniBinDirectory)"))
            }
            #expect(await sandboxes.all().isEmpty)
            #expect(!mountTable().contains(configuration.dataDirectory), "the namespaces are unmounted again")
            #expect(!FileManager.default.fileExists(atPath: configuration.dataDirectory + "/sandboxes/" + pod.podUID))
        }
    }

    @Test func setUpWithoutAPodCIDRFailsClearly() async throws {
        var node = SandboxTestNode.make()
        node.configuration.podCIDR = nil
        let sandboxes = CNIPodSandboxes(configuration: node.configuration, logger: Logger(label: "test"))
        defer { try? FileManager.default.removeItem(atPath: node.configuration.dataDirectory) }
        await #expect(throws: SandboxError.self) { try await sandboxes.setUp(request("x")) }
        await #expect(throws: SandboxError.self) { try await sandboxes.setPodCIDR("10.0.0.0") }
        await #expect(throws: SandboxError.self) { try await sandboxes.setUp(request("x", uid: "../etc")) }
    }
}
