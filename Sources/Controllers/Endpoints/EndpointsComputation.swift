import APIModel

/// What goes into a Service's endpoints, shared by the Endpoints and EndpointSlice
/// controllers: which pods count, and which port each Service port reaches on a pod.
enum ServiceBackends {
    /// The pods of `service`'s selector in its namespace, nil when the Service has no
    /// selector (its endpoints are the user's to manage).
    static func selectedPods(service: JSONValue, pods: [JSONValue]) -> [JSONValue]? {
        guard let selector = JSONValue.equalitySelector(service["spec"]?["selector"]) else { return nil }
        return pods.filter { $0.namespace == service.namespace && selector.matches($0.labels) }
    }

    static func publishesNotReady(_ service: JSONValue) -> Bool {
        service["spec"]?["publishNotReadyAddresses"]?.boolValue ?? false
    }

    static func isHeadless(_ service: JSONValue) -> Bool {
        service["spec"]?["clusterIP"]?.stringValue == "None"
    }

    /// The pod's IPv4 address, nil when it has none yet.
    static func podIP(_ pod: JSONValue) -> String? {
        if let ips = pod["status"]?["podIPs"]?.arrayValue {
            for entry in ips { if let ip = entry["ip"]?.stringValue, !ip.isEmpty, !ip.contains(":") { return ip } }
        }
        if let ip = pod["status"]?["podIP"]?.stringValue, !ip.isEmpty, !ip.contains(":") { return ip }
        return nil
    }

    /// The port a Service port's `targetPort` reaches on `pod`: a number as is, a name looked
    /// up among the pod's container ports of the same protocol; nil when the name is unknown.
    static func targetPort(servicePort: JSONValue, pod: JSONValue) -> Int64? {
        let target = servicePort["targetPort"]
        if let number = target?.intValue { return number }
        guard let name = target?.stringValue, !name.isEmpty else { return servicePort["port"]?.intValue }
        if let number = Int64(name) { return number }
        let proto = servicePort["protocol"]?.stringValue ?? "TCP"
        let containers = (pod["spec"]?["containers"]?.arrayValue ?? []) + (pod["spec"]?["initContainers"]?.arrayValue ?? [])
        for container in containers {
            for port in container["ports"]?.arrayValue ?? [] where port["name"]?.stringValue == name {
                if (port["protocol"]?.stringValue ?? "TCP") == proto { return port["containerPort"]?.intValue }
            }
        }
        return nil
    }

    /// The endpoint ports of `pod` for `service` (ports whose targetPort resolves).
    static func ports(service: JSONValue, pod: JSONValue) -> [JSONValue] {
        var result: [JSONValue] = []
        for servicePort in service["spec"]?["ports"]?.arrayValue ?? [] {
            guard let port = targetPort(servicePort: servicePort, pod: pod) else { continue }
            var entry: JSONValue = ["port": .int(port), "protocol": .string(servicePort["protocol"]?.stringValue ?? "TCP")]
            if let name = servicePort["name"]?.stringValue, !name.isEmpty { entry["name"] = .string(name) }
            if let appProtocol = servicePort["appProtocol"]?.stringValue { entry["appProtocol"] = .string(appProtocol) }
            result.append(entry)
        }
        return result
    }

    /// The hostname a pod publishes for `service` (its `spec.hostname` when its
    /// `spec.subdomain` names the Service), nil otherwise.
    static func hostname(pod: JSONValue, service: JSONValue) -> String? {
        guard let hostname = pod["spec"]?["hostname"]?.stringValue, !hostname.isEmpty,
              pod["spec"]?["subdomain"]?.stringValue == service.name, pod.namespace == service.namespace else { return nil }
        return hostname
    }
}

/// The `subsets` of a Service's v1 Endpoints: ready pods under `addresses`, the others under
/// `notReadyAddresses` (all under `addresses` with publishNotReadyAddresses), terminating
/// and finished pods left out, pods grouped by the ports they resolve to.
enum EndpointsComputation {
    static func subsets(service: JSONValue, pods: [JSONValue]) -> [JSONValue] {
        let publishNotReady = ServiceBackends.publishesNotReady(service)
        let servicePorts = service["spec"]?["ports"]?.arrayValue ?? []
        let headlessWithoutPorts = servicePorts.isEmpty && ServiceBackends.isHeadless(service)
        // Keyed by the rendered port list so pods with the same ports share one subset.
        var groups: [(ports: [JSONValue], ready: [JSONValue], notReady: [JSONValue])] = []
        for pod in pods {
            guard let ip = ServiceBackends.podIP(pod), !pod.podIsTerminated else { continue }
            if pod.isBeingDeleted && !publishNotReady { continue }
            let ports = ServiceBackends.ports(service: service, pod: pod)
            if ports.isEmpty && !headlessWithoutPorts { continue }
            var address: JSONValue = ["ip": .string(ip)]
            if let hostname = ServiceBackends.hostname(pod: pod, service: service) { address["hostname"] = .string(hostname) }
            if !pod.podNodeName.isEmpty { address["nodeName"] = .string(pod.podNodeName) }
            address["targetRef"] = pod.objectReference(kind: "Pod")
            let ready = publishNotReady || pod.isPodReady
            let sortedPorts = ports.sorted { portKey($0) < portKey($1) }
            if let index = groups.firstIndex(where: { $0.ports == sortedPorts }) {
                if ready { groups[index].ready.append(address) } else { groups[index].notReady.append(address) }
            } else {
                groups.append((sortedPorts, ready ? [address] : [], ready ? [] : [address]))
            }
        }
        let byIP = { (a: JSONValue, b: JSONValue) in (a["ip"]?.stringValue ?? "") < (b["ip"]?.stringValue ?? "") }
        return groups
            .sorted { $0.ports.map(portKey).joined(separator: ";") < $1.ports.map(portKey).joined(separator: ";") }
            .map { group in
                var subset: JSONValue = .emptyObject
                if !group.ready.isEmpty { subset["addresses"] = .array(group.ready.sorted(by: byIP)) }
                if !group.notReady.isEmpty { subset["notReadyAddresses"] = .array(group.notReady.sorted(by: byIP)) }
                if !group.ports.isEmpty { subset["ports"] = .array(group.ports) }
                return subset
            }
    }

    static func portKey(_ port: JSONValue) -> String {
        "\(port["name"]?.stringValue ?? "")/\(port["port"]?.intValue ?? 0)/\(port["protocol"]?.stringValue ?? "")"
    }

    /// Compares subsets ignoring the targetRefs' resourceVersions (which change on every
    /// pod status write and would otherwise rewrite the Endpoints for nothing).
    static func equivalent(_ a: [JSONValue], _ b: [JSONValue]) -> Bool {
        stripVersions(a) == stripVersions(b)
    }

    static func stripVersions(_ subsets: [JSONValue]) -> [JSONValue] {
        subsets.map { subset in
            var s = subset
            for key in ["addresses", "notReadyAddresses"] {
                s.modifyEach(key) { address in
                    address.modify("targetRef") { reference in reference?["resourceVersion"] = nil }
                }
            }
            return s
        }
    }
}
