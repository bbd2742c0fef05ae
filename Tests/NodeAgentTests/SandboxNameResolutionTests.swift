import APIModel
import Testing
@testable import NodeAgent

/// The resolver and hosts files for each DNS policy, as Kubernetes writes them.
@Suite struct SandboxNameResolutionTests {
    let names = PodNameResolution(
        clusterDNS: "10.43.0.10", clusterDomain: "cluster.local",
        hostHostsFile: "127.0.0.1 localhost\n192.168.1.5 node-a\n",
        hostResolvConf: "# generated\nnameserver 192.168.1.1\nnameserver 192.168.1.2\nsearch corp.example lab.example\noptions edns0\n")

    func request(policy: String = "ClusterFirst", hostNetwork: Bool = false, dnsConfig: JSONValue? = nil) -> PodSandboxRequest {
        PodSandboxRequest(podUID: "u", namespace: "shop", name: "web", hostname: "web", hostNetwork: hostNetwork,
                          dnsPolicy: policy, dnsConfig: dnsConfig)
    }

    @Test func clusterFirstUsesClusterDNSAndAppendsTheNodesSearchDomains() throws {
        let text = try names.resolvConf(for: request())
        #expect(text == """
            search shop.svc.cluster.local svc.cluster.local cluster.local corp.example lab.example
            nameserver 10.43.0.10
            options ndots:5

            """)
    }

    @Test func defaultAndHostNetworkUseTheNodesResolver() throws {
        let node = "search corp.example lab.example\nnameserver 192.168.1.1\nnameserver 192.168.1.2\noptions edns0\n"
        #expect(try names.resolvConf(for: request(policy: "Default")) == node)
        #expect(try names.resolvConf(for: request(hostNetwork: true)) == node, "ClusterFirst falls back to Default with hostNetwork")
        #expect(try names.resolvConf(for: request(policy: "ClusterFirstWithHostNet", hostNetwork: true)).contains("nameserver 10.43.0.10"))
    }

    @Test func noneTakesOnlyDNSConfigAndDNSConfigMerges() throws {
        let config: JSONValue = [
            "nameservers": ["1.1.1.1", "10.43.0.10"],
            "searches": ["extra.example", "svc.cluster.local"],
            "options": [["name": "ndots", "value": "2"], ["name": "single-request"]],
        ]
        #expect(try names.resolvConf(for: request(policy: "None", dnsConfig: config)) == """
            search extra.example svc.cluster.local
            nameserver 1.1.1.1
            nameserver 10.43.0.10
            options ndots:2 single-request

            """)
        let merged = try names.resolverConfig(for: request(dnsConfig: config))
        #expect(merged.nameservers == ["10.43.0.10", "1.1.1.1"], "duplicates removed")
        #expect(merged.searches == ["shop.svc.cluster.local", "svc.cluster.local", "cluster.local", "corp.example", "lab.example", "extra.example"])
        #expect(merged.options == ["ndots:2", "single-request"], "dnsConfig's ndots replaces the policy's")
        #expect(throws: SandboxError.self) { try names.resolvConf(for: request(policy: "Bogus")) }
    }

    @Test func hostNetworkPodsSeeTheNodesHostsFilePlusAliases() {
        var pod = request(hostNetwork: true)
        pod.hostAliases = [(ip: "10.9.9.9", hostnames: ["db"])]
        let hosts = names.hostsFile(for: pod, podIPs: ["192.168.1.5"])
        #expect(hosts.hasPrefix("127.0.0.1 localhost\n192.168.1.5 node-a\n"))
        #expect(hosts.hasSuffix("10.9.9.9\tdb\n"))
    }

    @Test func longPodNamesAreTruncatedToAValidHostname() {
        let long = String(repeating: "a", count: 62) + "-b"
        #expect(CNIPodSandboxes.podHostname(long) == String(repeating: "a", count: 62))
    }
}
