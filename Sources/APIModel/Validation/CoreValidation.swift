import Foundation

/// Service, ConfigMap, Secret, Node, storage and the smaller groups' rules.
extension Validator {
    static let serviceTypes = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"]

    mutating func service(_ o: JSONValue) {
        let spec = o["spec"] ?? .emptyObject
        let path = FieldPath("spec")
        let type = spec["type"]?.stringValue ?? "ClusterIP"
        oneOf(spec["type"], path.child("type"), Self.serviceTypes)
        let clusterIP = spec["clusterIP"]?.stringValue ?? ""
        let headless = clusterIP == "None"
        let ports = spec["ports"]?.arrayValue ?? []
        if ports.isEmpty, type != "ExternalName", !headless {
            add(.required(path.child("ports")))
        }
        if type == "ExternalName" {
            let name = spec["externalName"]?.stringValue ?? ""
            if name.isEmpty { add(.required(path.child("externalName"))) } else { names(name, path.child("externalName"), Names.dns1123SubdomainErrors) }
        } else if !clusterIP.isEmpty, !headless, !Names.isIP(clusterIP) {
            add(.invalid(path.child("clusterIP"), .string(clusterIP), "must be empty, 'None', or a valid IP address"))
        }
        if headless, type != "ClusterIP", type != "ExternalName" {
            add(.invalid(path.child("clusterIP"), .string(clusterIP), "may not be set to 'None' for \(type) services"))
        }
        var portNames = Set<String>()
        var portKeys = Set<String>()
        for (i, port) in ports.enumerated() {
            let p = path.child("ports").index(i)
            let name = port["name"]?.stringValue ?? ""
            if ports.count > 1, name.isEmpty { add(.required(p.child("name"))) }
            if !name.isEmpty {
                names(name, p.child("name"), Names.dns1123LabelErrors)
                if !portNames.insert(name).inserted { add(.duplicate(p.child("name"), .string(name))) }
            }
            portNumber(port["port"], p.child("port"), required: true)
            oneOf(port["protocol"], p.child("protocol"), Self.protocols)
            let key = "\(port["port"]?.intValue ?? 0)/\(port["protocol"]?.stringValue ?? "TCP")"
            if !portKeys.insert(key).inserted { add(.duplicate(p, .string(key))) }
            if let target = port["targetPort"], !target.isNull {
                if case .string = target { intOrStringPort(target, p.child("targetPort")) } else { portNumber(target, p.child("targetPort"), required: false) }
            }
            if let nodePort = port["nodePort"], !nodePort.isNull, nodePort.intValue != 0 {
                if type == "ClusterIP" || type == "ExternalName" {
                    add(.forbidden(p.child("nodePort"), "may not be used when `type` is '\(type)'"))
                } else {
                    portNumber(nodePort, p.child("nodePort"), required: false)
                }
            }
        }
        oneOf(spec["sessionAffinity"], path.child("sessionAffinity"), ["ClientIP", "None"])
        oneOf(spec["externalTrafficPolicy"], path.child("externalTrafficPolicy"), ["Cluster", "Local"])
        oneOf(spec["internalTrafficPolicy"], path.child("internalTrafficPolicy"), ["Cluster", "Local"])
        oneOf(spec["ipFamilyPolicy"], path.child("ipFamilyPolicy"), ["SingleStack", "PreferDualStack", "RequireDualStack"])
        for (i, family) in (spec["ipFamilies"]?.arrayValue ?? []).enumerated() {
            oneOf(family, path.child("ipFamilies").index(i), ["IPv4", "IPv6"])
        }
        if let timeout = spec["sessionAffinityConfig"]?["clientIP"]?["timeoutSeconds"]?.intValue, !(1...86400).contains(timeout) {
            add(.invalid(path.child("sessionAffinityConfig").child("clientIP").child("timeoutSeconds"), .int(timeout),
                         "must be greater than 0 and less than 86400"))
        }
        for (i, ip) in (spec["externalIPs"]?.arrayValue ?? []).enumerated() where !(ip.stringValue.map(Names.isIP) ?? false) {
            add(.invalid(path.child("externalIPs").index(i), ip, "must be a valid IP address"))
        }
        labels(spec["selector"], path.child("selector"))
    }

    mutating func serviceUpdate(old: JSONValue, new: JSONValue) {
        let oldIP = old["spec"]?["clusterIP"]?.stringValue ?? ""
        let newType = new["spec"]?["type"]?.stringValue ?? "ClusterIP"
        let oldType = old["spec"]?["type"]?.stringValue ?? "ClusterIP"
        // Moving to or from ExternalName is the only way to change or drop the cluster IP.
        if !oldIP.isEmpty, newType != "ExternalName", oldType != "ExternalName" {
            immutable(old["spec"]?["clusterIP"], new["spec"]?["clusterIP"], FieldPath("spec.clusterIP"))
        }
    }

    mutating func configKeys(_ value: JSONValue?, _ path: FieldPath, total: inout Int) {
        for (key, v) in value?.objectValue ?? JSONObject() {
            for e in Names.configKeyErrors(key) { add(.invalid(path, .string(key), e)) }
            total += key.utf8.count + (v.stringValue?.utf8.count ?? 0)
        }
    }

    mutating func configMap(_ o: JSONValue) {
        var total = 0
        configKeys(o["data"], FieldPath("data"), total: &total)
        configKeys(o["binaryData"], FieldPath("binaryData"), total: &total)
        for key in o["data"]?.objectValue?.keys ?? [] where o["binaryData"]?[key] != nil {
            add(.invalid(FieldPath("data"), .string(key), "duplicate of key present in binaryData"))
        }
        if total > 1024 * 1024 { add(FieldError(.tooLong, FieldPath(""), nil, "must have at most 1048576 bytes")) }
    }

    mutating func secret(_ o: JSONValue) {
        var total = 0
        configKeys(o["data"], FieldPath("data"), total: &total)
        configKeys(o["stringData"], FieldPath("stringData"), total: &total)
        if total > 1024 * 1024 { add(FieldError(.tooLong, FieldPath("data"), nil, "must have at most 1048576 bytes")) }
        let data = o["data"]?.objectValue ?? JSONObject()
        let type = o["type"]?.stringValue ?? "Opaque"
        func requireKey(_ key: String) {
            if data[key] == nil, o["stringData"]?[key] == nil { add(.required(FieldPath("data").key(key))) }
        }
        switch type {
        case "kubernetes.io/service-account-token":
            if (o["metadata"]?["annotations"]?["kubernetes.io/service-account.name"]?.stringValue ?? "").isEmpty {
                add(.required(FieldPath("metadata.annotations").key("kubernetes.io/service-account.name")))
            }
        case "kubernetes.io/dockercfg": requireKey(".dockercfg")
        case "kubernetes.io/dockerconfigjson": requireKey(".dockerconfigjson")
        case "kubernetes.io/basic-auth":
            if data["username"] == nil, data["password"] == nil, o["stringData"]?["username"] == nil, o["stringData"]?["password"] == nil {
                add(.required(FieldPath("data").key("username"), "either username or password must be specified"))
            }
        case "kubernetes.io/ssh-auth": requireKey("ssh-privatekey")
        case "kubernetes.io/tls":
            requireKey("tls.crt")
            requireKey("tls.key")
        default:
            if type.isEmpty { add(.required(FieldPath("type"))) }
        }
    }

    mutating func immutableData(old: JSONValue, new: JSONValue, keys: [String]) {
        guard old["immutable"]?.boolValue == true else { return }
        for key in keys where (old[key] ?? .null) != (new[key] ?? .null) {
            add(.forbidden(FieldPath(key), "field is immutable when `immutable` is set"))
        }
        if new["immutable"]?.boolValue != true {
            add(.forbidden(FieldPath("immutable"), "field is immutable when `immutable` is set"))
        }
    }

    mutating func node(_ o: JSONValue) {
        var seen = Set<String>()
        for (i, taint) in (o["spec"]?["taints"]?.arrayValue ?? []).enumerated() {
            let p = FieldPath("spec.taints").index(i)
            let key = taint["key"]?.stringValue ?? ""
            if key.isEmpty { add(.required(p.child("key"))) } else { names(key, p.child("key"), Names.qualifiedNameErrors) }
            oneOf(taint["effect"], p.child("effect"), ["NoSchedule", "PreferNoSchedule", "NoExecute"], required: true)
            if let value = taint["value"]?.stringValue { for e in Names.labelValueErrors(value) { add(.invalid(p.child("value"), taint["value"], e)) } }
            let id = key + ":" + (taint["effect"]?.stringValue ?? "")
            if !seen.insert(id).inserted { add(.duplicate(p, .string(id))) }
        }
        if let cidr = o["spec"]?["podCIDR"]?.stringValue, !cidr.isEmpty, !Self.isCIDR(cidr) {
            add(.invalid(FieldPath("spec.podCIDR"), .string(cidr), "must be a valid CIDR"))
        }
    }

    static func isCIDR(_ s: String) -> Bool {
        let parts = s.split(separator: "/")
        guard parts.count == 2, let bits = Int(parts[1]) else { return false }
        let ip = String(parts[0])
        if Names.isIPv4(ip) { return (0...32).contains(bits) }
        if Names.isIPv6(ip) { return (0...128).contains(bits) }
        return false
    }

    mutating func endpoints(_ o: JSONValue) {
        for (i, subset) in (o["subsets"]?.arrayValue ?? []).enumerated() {
            let p = FieldPath("subsets").index(i)
            for key in ["addresses", "notReadyAddresses"] {
                for (j, address) in (subset[key]?.arrayValue ?? []).enumerated() where !(address["ip"]?.stringValue.map(Names.isIP) ?? false) {
                    add(.invalid(p.child(key).index(j).child("ip"), address["ip"], "must be a valid IP address"))
                }
            }
            for (j, port) in (subset["ports"]?.arrayValue ?? []).enumerated() {
                portNumber(port["port"], p.child("ports").index(j).child("port"), required: true)
                oneOf(port["protocol"], p.child("ports").index(j).child("protocol"), Self.protocols)
            }
        }
    }

    static let accessModes = ["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"]

    mutating func pvcSpec(_ spec: JSONValue?, _ path: FieldPath) {
        let modes = spec?["accessModes"]?.arrayValue ?? []
        if modes.isEmpty { add(.required(path.child("accessModes"), "at least 1 access mode is required")) }
        for (i, m) in modes.enumerated() { oneOf(m, path.child("accessModes").index(i), Self.accessModes) }
        if spec?["resources"]?["requests"]?["storage"] == nil {
            add(.required(path.child("resources").child("requests").key("storage")))
        } else if let q = spec?["resources"]?["requests"]?["storage"], let v = Quantity.value(of: q), v <= 0 {
            add(.invalid(path.child("resources").child("requests").key("storage"), q, "must be greater than zero"))
        }
        oneOf(spec?["volumeMode"], path.child("volumeMode"), ["Block", "Filesystem"])
        labelSelector(spec?["selector"], path.child("selector"))
    }

    mutating func persistentVolumeClaim(_ o: JSONValue) { pvcSpec(o["spec"], FieldPath("spec")) }

    mutating func pvcUpdate(old: JSONValue, new: JSONValue) {
        // Only the storage request (expansion) and a few bookkeeping fields may change once bound.
        var relaxed = old["spec"] ?? .emptyObject
        relaxed["resources"] = new["spec"]?["resources"]
        relaxed["volumeAttributesClassName"] = new["spec"]?["volumeAttributesClassName"]
        if (old["spec"]?["volumeName"]?.stringValue ?? "").isEmpty { relaxed["volumeName"] = new["spec"]?["volumeName"] }
        if relaxed != (new["spec"] ?? .emptyObject) {
            add(.forbidden(FieldPath("spec"), "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims"))
        }
    }

    mutating func persistentVolume(_ o: JSONValue) {
        let spec = o["spec"] ?? .emptyObject
        let path = FieldPath("spec")
        if spec["capacity"]?["storage"] == nil { add(.required(path.child("capacity").key("storage"))) }
        let modes = spec["accessModes"]?.arrayValue ?? []
        if modes.isEmpty { add(.required(path.child("accessModes"))) }
        for (i, m) in modes.enumerated() { oneOf(m, path.child("accessModes").index(i), Self.accessModes) }
        oneOf(spec["persistentVolumeReclaimPolicy"], path.child("persistentVolumeReclaimPolicy"), ["Delete", "Recycle", "Retain"])
        let known = (CoreSchemas.persistentVolume.member("spec")?.objectSchema?.fields.map(\.name) ?? [])
        let nonSources: Set<String> = ["capacity", "accessModes", "claimRef", "persistentVolumeReclaimPolicy", "storageClassName",
                                       "mountOptions", "volumeMode", "nodeAffinity", "volumeAttributesClassName"]
        let sources = known.filter { !nonSources.contains($0) && spec[$0] != nil && spec[$0] != .null }
        if sources.isEmpty { add(.required(path, "must specify a volume type")) }
        if sources.count > 1 { add(.forbidden(path.child(sources[1]), "may not specify more than 1 volume type")) }
    }

    mutating func coreEvent(_ o: JSONValue) {
        let involved = o["involvedObject"]
        let ns = o["metadata"]?["namespace"]?.stringValue ?? ""
        if let ins = involved?["namespace"]?.stringValue, !ins.isEmpty, ins != ns {
            add(.invalid(FieldPath("involvedObject.namespace"), .string(ins), "does not match event.namespace"))
        }
        oneOf(o["type"], FieldPath("type"), ["Normal", "Warning"])
    }

    mutating func lease(_ o: JSONValue) {
        positive(o["spec"]?["leaseDurationSeconds"], FieldPath("spec.leaseDurationSeconds"))
        nonNegative(o["spec"]?["leaseTransitions"], FieldPath("spec.leaseTransitions"))
    }

    mutating func endpointSlice(_ o: JSONValue) {
        oneOf(o["addressType"], FieldPath("addressType"), ["IPv4", "IPv6", "FQDN"], required: true)
        let endpoints = o["endpoints"]?.arrayValue ?? []
        for (i, e) in endpoints.enumerated() {
            let addresses = e["addresses"]?.arrayValue ?? []
            let p = FieldPath("endpoints").index(i).child("addresses")
            if addresses.isEmpty { add(.required(p, "must contain at least 1 address")) }
            if addresses.count > 100 { add(FieldError(.tooMany, p, nil, "must have at most 100 items")) }
        }
        for (i, port) in (o["ports"]?.arrayValue ?? []).enumerated() {
            let p = FieldPath("ports").index(i)
            if let n = port["port"], !n.isNull { portNumber(n, p.child("port"), required: false) }
            oneOf(port["protocol"], p.child("protocol"), Self.protocols)
        }
    }

    mutating func podDisruptionBudget(_ o: JSONValue) {
        let spec = o["spec"] ?? .emptyObject
        let minAvailable = spec["minAvailable"]
        let maxUnavailable = spec["maxUnavailable"]
        if let minAvailable, !minAvailable.isNull, let maxUnavailable, !maxUnavailable.isNull {
            add(.invalid(FieldPath("spec"), spec, "minAvailable and maxUnavailable cannot be both set"))
        }
        intOrPercent(minAvailable, FieldPath("spec.minAvailable"))
        intOrPercent(maxUnavailable, FieldPath("spec.maxUnavailable"))
        labelSelector(spec["selector"], FieldPath("spec.selector"))
        oneOf(spec["unhealthyPodEvictionPolicy"], FieldPath("spec.unhealthyPodEvictionPolicy"), ["IfHealthyBudget", "AlwaysAllow"])
    }

    mutating func priorityClass(_ o: JSONValue) {
        let name = o["metadata"]?["name"]?.stringValue ?? ""
        if let value = o["value"]?.intValue, value > 1_000_000_000, !name.hasPrefix("system-") {
            add(.forbidden(FieldPath("value"), "maximum allowed value of a user defined priority is 1000000000"))
        }
        oneOf(o["preemptionPolicy"], FieldPath("preemptionPolicy"), ["Never", "PreemptLowerPriority"])
    }

    mutating func storageClass(_ o: JSONValue) {
        let provisioner = o["provisioner"]?.stringValue ?? ""
        if provisioner.isEmpty { add(.required(FieldPath("provisioner"))) } else { names(provisioner, FieldPath("provisioner"), Names.qualifiedNameErrors) }
        oneOf(o["reclaimPolicy"], FieldPath("reclaimPolicy"), ["Delete", "Retain"])
        oneOf(o["volumeBindingMode"], FieldPath("volumeBindingMode"), ["Immediate", "WaitForFirstConsumer"])
    }
}
