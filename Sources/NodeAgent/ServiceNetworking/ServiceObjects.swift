import APIModel
import ClusterClient

/// Services and EndpointSlices as the proxy and the DNS see them.
enum ServiceObjects {
    /// The slices of a service: `kubernetes.io/service-name` in its namespace.
    static let serviceNameLabel = "kubernetes.io/service-name"

    struct SliceEndpoint {
        var addresses: [String]
        var hostname: String?
        var ready: Bool
        var nodeName: String?
    }

    struct SlicePort {
        var name: String
        var `protocol`: String
        var port: Int
    }

    static func endpoints(_ slice: JSONValue) -> [SliceEndpoint] {
        (slice["endpoints"]?.arrayValue ?? []).map { endpoint in
            // `ready` unset means ready (EndpointSlice API: nil should be interpreted as true).
            let ready = endpoint["conditions"]?["ready"]?.boolValue ?? true
            let terminating = endpoint["conditions"]?["terminating"]?.boolValue ?? false
            return SliceEndpoint(addresses: endpoint["addresses"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                                 hostname: endpoint["hostname"]?.stringValue,
                                 ready: ready && !terminating,
                                 nodeName: endpoint["nodeName"]?.stringValue)
        }
    }

    static func ports(_ slice: JSONValue) -> [SlicePort] {
        (slice["ports"]?.arrayValue ?? []).compactMap { port in
            guard let number = port["port"]?.intValue else { return nil }
            return SlicePort(name: port["name"]?.stringValue ?? "", protocol: port["protocol"]?.stringValue ?? "TCP",
                             port: Int(number))
        }
    }

    static func clusterIPs(_ service: JSONValue) -> [String] {
        let spec = service["spec"]
        var ips = spec?["clusterIPs"]?.arrayValue?.compactMap(\.stringValue) ?? []
        if ips.isEmpty, let ip = spec?["clusterIP"]?.stringValue { ips = [ip] }
        return ips.filter { !$0.isEmpty && $0 != "None" }
    }

    static func isHeadless(_ service: JSONValue) -> Bool {
        service["spec"]?["clusterIP"]?.stringValue == "None"
    }

    /// The DNS view of a service and its slices.
    static func dnsService(_ service: JSONValue, slices: [JSONValue]) -> DNSService {
        let spec = service["spec"]
        let ports = (spec?["ports"]?.arrayValue ?? []).compactMap { port -> DNSService.Port? in
            guard let number = port["port"]?.intValue else { return nil }
            return DNSService.Port(name: port["name"]?.stringValue ?? "", protocol: port["protocol"]?.stringValue ?? "TCP",
                                   port: Int(number))
        }
        var endpoints: [DNSService.Endpoint] = []
        var endpointPorts: [DNSService.Port] = []
        for slice in slices {
            for endpoint in Self.endpoints(slice) {
                endpoints.append(DNSService.Endpoint(addresses: endpoint.addresses, hostname: endpoint.hostname, ready: endpoint.ready))
            }
            for port in Self.ports(slice) where !endpointPorts.contains(where: { $0.name == port.name && $0.protocol == port.protocol }) {
                endpointPorts.append(DNSService.Port(name: port.name, protocol: port.protocol, port: port.port))
            }
        }
        let externalName = spec?["type"]?.stringValue == "ExternalName" ? spec?["externalName"]?.stringValue : nil
        return DNSService(namespace: service.namespace ?? "default", name: service.name, clusterIPs: clusterIPs(service),
                          headless: isHeadless(service), externalName: externalName,
                          publishNotReadyAddresses: spec?["publishNotReadyAddresses"]?.boolValue ?? false,
                          ports: ports, endpoints: endpoints, endpointPorts: endpointPorts)
    }

    /// The proxy's view, nil for services the proxy leaves alone (headless, ExternalName,
    /// no IPv4 cluster IP yet).
    static func proxyService(_ service: JSONValue, slices: [JSONValue], nodeName: String) -> ProxyService? {
        let spec = service["spec"]
        guard !isHeadless(service), spec?["type"]?.stringValue != "ExternalName" else { return nil }
        let ips = clusterIPs(service).filter { IPAddressBytes.ipv4($0) != nil }
        guard !ips.isEmpty else { return nil }
        let ports = (spec?["ports"]?.arrayValue ?? []).compactMap { port -> ProxyService.Port? in
            guard let number = port["port"]?.intValue else { return nil }
            return ProxyService.Port(name: port["name"]?.stringValue ?? "", protocol: port["protocol"]?.stringValue ?? "TCP",
                                     port: Int(number), nodePort: port["nodePort"]?.intValue.map(Int.init))
        }
        var endpoints: [String: [ProxyService.Endpoint]] = [:]
        for slice in slices {
            let slicePorts = Self.ports(slice)
            for endpoint in Self.endpoints(slice) where endpoint.ready {
                for address in endpoint.addresses where IPAddressBytes.ipv4(address) != nil {
                    for port in ports {
                        guard let match = slicePorts.first(where: { $0.name == port.name && $0.protocol.lowercased() == port.protocol })
                        else { continue }
                        endpoints[port.name, default: []].append(
                            ProxyService.Endpoint(ip: address, port: match.port, local: endpoint.nodeName == nil || endpoint.nodeName == nodeName))
                    }
                }
            }
        }
        var affinity: Int?
        if spec?["sessionAffinity"]?.stringValue == "ClientIP" {
            affinity = Int(spec?["sessionAffinityConfig"]?["clientIP"]?["timeoutSeconds"]?.intValue ?? 10800)
        }
        return ProxyService(namespace: service.namespace ?? "default", name: service.name, clusterIPs: ips, ports: ports,
                            endpoints: endpoints, clientIPAffinitySeconds: affinity,
                            externalTrafficLocal: spec?["externalTrafficPolicy"]?.stringValue == "Local")
    }
}
