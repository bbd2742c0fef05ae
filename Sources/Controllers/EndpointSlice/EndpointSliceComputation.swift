import APIModel

/// The endpoints of a Service as EndpointSlices want them, and the plan that turns the
/// existing slices into the desired ones with as few writes as possible.
enum EndpointSliceComputation {
    static let maxEndpointsPerSlice = 100
    static let serviceNameLabel = "kubernetes.io/service-name"
    static let managedByLabel = "endpointslice.kubernetes.io/managed-by"
    static let managedByValue = "endpointslice-controller.k8s.io"

    /// One desired endpoint with its identity (the pod's namespace/name) and its ports.
    struct DesiredEndpoint: Sendable, Equatable {
        var id: String
        var endpoint: JSONValue
        var ports: [JSONValue]
    }

    /// One endpoint per pod with an IPv4 address (terminating pods included, with the
    /// `terminating` condition; finished pods left out), its conditions as Kubernetes sets
    /// them: serving = the pod is ready, ready = serving and not terminating
    /// (publishNotReadyAddresses makes every endpoint ready).
    static func desiredEndpoints(service: JSONValue, pods: [JSONValue], nodes: [String: JSONValue]) -> [DesiredEndpoint] {
        let publishNotReady = ServiceBackends.publishesNotReady(service)
        let headlessWithoutPorts = (service["spec"]?["ports"]?.arrayValue ?? []).isEmpty && ServiceBackends.isHeadless(service)
        var result: [DesiredEndpoint] = []
        for pod in pods {
            guard let ip = ServiceBackends.podIP(pod), !pod.podIsTerminated else { continue }
            let ports = ServiceBackends.ports(service: service, pod: pod).sorted { EndpointsComputation.portKey($0) < EndpointsComputation.portKey($1) }
            if ports.isEmpty && !headlessWithoutPorts { continue }
            let terminating = pod.isBeingDeleted
            let serving = publishNotReady || pod.isPodReady
            var endpoint: JSONValue = [
                "addresses": [.string(ip)],
                "conditions": ["ready": .bool(publishNotReady || (serving && !terminating)), "serving": .bool(serving),
                               "terminating": .bool(terminating)],
            ]
            if let hostname = ServiceBackends.hostname(pod: pod, service: service) { endpoint["hostname"] = .string(hostname) }
            if !pod.podNodeName.isEmpty {
                endpoint["nodeName"] = .string(pod.podNodeName)
                if let zone = nodes[pod.podNodeName]?.labels["topology.kubernetes.io/zone"] { endpoint["zone"] = .string(zone) }
            }
            endpoint["targetRef"] = pod.objectReference(kind: "Pod")
            result.append(DesiredEndpoint(id: pod.key, endpoint: endpoint, ports: ports))
        }
        return result.sorted { $0.id < $1.id }
    }

    /// The identity of an endpoint inside a slice (its pod), falling back to its address.
    static func endpointID(_ endpoint: JSONValue) -> String {
        if let reference = endpoint["targetRef"], let name = reference["name"]?.stringValue {
            return "\(reference["namespace"]?.stringValue ?? "")/\(name)"
        }
        return endpoint["addresses"]?[0]?.stringValue ?? ""
    }

    static func portsKey(_ ports: [JSONValue]) -> String { ports.map(EndpointsComputation.portKey).joined(separator: ";") }

    /// What to do with the slices of one Service.
    struct Plan: Sendable {
        /// Existing slices rewritten (same name, new endpoints or ports).
        var updates: [JSONValue] = []
        /// New slices (endpoints and ports; the caller adds metadata).
        var creates: [(ports: [JSONValue], endpoints: [JSONValue])] = []
        /// Names of slices no longer needed.
        var deletes: [String] = []
    }

    /// Keeps every endpoint that stays in the slice it is in (rewritten in place when it
    /// changed), fills free room in existing slices of the same ports before creating new
    /// ones, and deletes slices left empty — except that a Service without endpoints keeps
    /// one (empty) slice, as Kubernetes does.
    static func plan(existing: [JSONValue], desired: [DesiredEndpoint]) -> Plan {
        var plan = Plan()
        var groups: [String: [DesiredEndpoint]] = [:]
        var groupPorts: [String: [JSONValue]] = [:]
        for endpoint in desired {
            let key = portsKey(endpoint.ports)
            groups[key, default: []].append(endpoint)
            groupPorts[key] = endpoint.ports
        }
        var keptEmpty: JSONValue?
        var slicesByKey: [String: [JSONValue]] = [:]
        for slice in existing.sorted(by: { $0.name < $1.name }) {
            let key = portsKey(slice["ports"]?.arrayValue ?? [])
            if groups[key] == nil {
                if desired.isEmpty && keptEmpty == nil { keptEmpty = slice } else { plan.deletes.append(slice.name) }
            } else {
                slicesByKey[key, default: []].append(slice)
            }
        }
        if let keptEmpty {
            if !(keptEmpty["endpoints"]?.arrayValue ?? []).isEmpty || !(keptEmpty["ports"]?.arrayValue ?? []).isEmpty {
                var emptied = keptEmpty
                emptied["endpoints"] = []
                emptied["ports"] = []
                plan.updates.append(emptied)
            }
        } else if desired.isEmpty && existing.isEmpty {
            plan.creates.append((ports: [], endpoints: []))
        }
        for key in groups.keys.sorted() {
            let wanted = groups[key] ?? []
            var remaining = Dictionary(uniqueKeysWithValues: wanted.map { ($0.id, $0.endpoint) })
            var slices: [(slice: JSONValue, endpoints: [JSONValue], changed: Bool)] = []
            for slice in slicesByKey[key] ?? [] {
                var endpoints: [JSONValue] = []
                var changed = false
                for endpoint in slice["endpoints"]?.arrayValue ?? [] {
                    let id = endpointID(endpoint)
                    if let new = remaining.removeValue(forKey: id) {
                        endpoints.append(new)
                        if new != endpoint { changed = true }
                    } else {
                        changed = true
                    }
                }
                slices.append((slice, endpoints, changed))
            }
            var leftovers = wanted.filter { remaining[$0.id] != nil }.map(\.endpoint)
            for index in slices.indices where !leftovers.isEmpty {
                let room = maxEndpointsPerSlice - slices[index].endpoints.count
                guard room > 0 else { continue }
                slices[index].endpoints.append(contentsOf: leftovers.prefix(room))
                leftovers.removeFirst(min(room, leftovers.count))
                slices[index].changed = true
            }
            for entry in slices {
                if entry.endpoints.isEmpty {
                    plan.deletes.append(entry.slice.name)
                } else if entry.changed {
                    var updated = entry.slice
                    updated["endpoints"] = .array(entry.endpoints)
                    plan.updates.append(updated)
                }
            }
            while !leftovers.isEmpty {
                let chunk = Array(leftovers.prefix(maxEndpointsPerSlice))
                leftovers.removeFirst(chunk.count)
                plan.creates.append((ports: groupPorts[key] ?? [], endpoints: chunk))
            }
        }
        return plan
    }
}
