/// Pod and PodSpec rules (k8s.io/kubernetes/pkg/apis/core/validation).
extension Validator {
    static let protocols = ["SCTP", "TCP", "UDP"]
    static let volumeSourceNames: [String] = {
        (VolumeSchemas.volume.objectSchema?.fields.map(\.name) ?? []).filter { $0 != "name" }
    }()

    /// `restartPolicies` limits the pod restart policy (Deployments need Always, Jobs OnFailure/Never).
    mutating func podSpec(_ spec: JSONValue?, _ path: FieldPath, isTemplate: Bool,
                          restartPolicies: [String] = ["Always", "OnFailure", "Never"])
    {
        guard let spec else {
            add(.required(path))
            return
        }
        let volumeNames = volumes(spec["volumes"], path.child("volumes"))
        var containerNames = Set<String>()
        let containers = spec["containers"]?.arrayValue ?? []
        if containers.isEmpty { add(.required(path.child("containers"))) }
        for (i, c) in (spec["initContainers"]?.arrayValue ?? []).enumerated() {
            container(c, path.child("initContainers").index(i), volumeNames: volumeNames, names: &containerNames, isInit: true)
        }
        for (i, c) in containers.enumerated() {
            container(c, path.child("containers").index(i), volumeNames: volumeNames, names: &containerNames, isInit: false)
        }
        for (i, c) in (spec["ephemeralContainers"]?.arrayValue ?? []).enumerated() {
            let p = path.child("ephemeralContainers").index(i)
            container(c, p, volumeNames: volumeNames, names: &containerNames, isInit: false)
            for probe in ["livenessProbe", "readinessProbe", "startupProbe", "lifecycle"] where c[probe] != nil && c[probe] != .null {
                add(.forbidden(p.child(probe), "cannot be set for an Ephemeral Container"))
            }
        }
        oneOf(spec["restartPolicy"], path.child("restartPolicy"), restartPolicies, required: isTemplate)
        oneOf(spec["dnsPolicy"], path.child("dnsPolicy"), ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"])
        if spec["dnsPolicy"]?.stringValue == "None", (spec["dnsConfig"]?["nameservers"]?.arrayValue ?? []).isEmpty {
            add(.required(path.child("dnsConfig").child("nameservers"), "must provide at least one DNS nameserver when `dnsPolicy` is None"))
        }
        for (i, ns) in (spec["dnsConfig"]?["nameservers"]?.arrayValue ?? []).enumerated() {
            if let s = ns.stringValue, !Names.isIP(s) {
                add(.invalid(path.child("dnsConfig").child("nameservers").index(i), ns, "must be a valid IP address"))
            }
        }
        nonNegative(spec["terminationGracePeriodSeconds"], path.child("terminationGracePeriodSeconds"))
        positive(spec["activeDeadlineSeconds"], path.child("activeDeadlineSeconds"))
        labels(spec["nodeSelector"], path.child("nodeSelector"))
        if let sa = spec["serviceAccountName"]?.stringValue, !sa.isEmpty {
            names(sa, path.child("serviceAccountName"), Names.dns1123SubdomainErrors)
        }
        if let host = spec["hostname"]?.stringValue, !host.isEmpty { names(host, path.child("hostname"), Names.dns1123LabelErrors) }
        if let sub = spec["subdomain"]?.stringValue, !sub.isEmpty { names(sub, path.child("subdomain"), Names.dns1123LabelErrors) }
        for (i, t) in (spec["tolerations"]?.arrayValue ?? []).enumerated() {
            toleration(t, path.child("tolerations").index(i))
        }
        for (i, alias) in (spec["hostAliases"]?.arrayValue ?? []).enumerated() {
            if let ip = alias["ip"]?.stringValue, !Names.isIP(ip) {
                add(.invalid(path.child("hostAliases").index(i).child("ip"), alias["ip"], "must be valid IP address"))
            }
        }
        for (i, c) in (spec["topologySpreadConstraints"]?.arrayValue ?? []).enumerated() {
            let p = path.child("topologySpreadConstraints").index(i)
            positive(c["maxSkew"], p.child("maxSkew"))
            oneOf(c["whenUnsatisfiable"], p.child("whenUnsatisfiable"), ["DoNotSchedule", "ScheduleAnyway"], required: true)
            if (c["topologyKey"]?.stringValue ?? "").isEmpty { add(.required(p.child("topologyKey"), "can not be empty")) }
        }
        var gates = Set<String>()
        for (i, g) in (spec["schedulingGates"]?.arrayValue ?? []).enumerated() {
            let name = g["name"]?.stringValue ?? ""
            if !gates.insert(name).inserted { add(.duplicate(path.child("schedulingGates").index(i).child("name"), .string(name))) }
        }
        affinity(spec["affinity"], path.child("affinity"))
    }

    /// Returns the volume names (for mount references).
    mutating func volumes(_ value: JSONValue?, _ path: FieldPath) -> Set<String> {
        var seen = Set<String>()
        for (i, volume) in (value?.arrayValue ?? []).enumerated() {
            let p = path.index(i)
            let name = volume["name"]?.stringValue ?? ""
            if name.isEmpty {
                add(.required(p.child("name")))
            } else {
                names(name, p.child("name"), Names.dns1123LabelErrors)
                if !seen.insert(name).inserted { add(.duplicate(p.child("name"), .string(name))) }
            }
            let sources = Self.volumeSourceNames.filter { volume[$0] != nil && volume[$0] != .null }
            if sources.isEmpty {
                add(.required(p, "must specify a volume type"))
            } else if sources.count > 1 {
                add(.forbidden(p.child(sources[1]), "may not specify more than 1 volume type"))
            }
            for mode in [volume["configMap"]?["defaultMode"], volume["secret"]?["defaultMode"],
                         volume["downwardAPI"]?["defaultMode"], volume["projected"]?["defaultMode"]] {
                if let m = mode?.intValue, !(0...0o777).contains(m) {
                    add(.invalid(p, mode, "must be a number between 0 and 0777 (octal), both inclusive"))
                }
            }
            if let hostPath = volume["hostPath"] {
                if (hostPath["path"]?.stringValue ?? "").isEmpty { add(.required(p.child("hostPath").child("path"))) }
                oneOf(hostPath["type"], p.child("hostPath").child("type"),
                      ["", "DirectoryOrCreate", "Directory", "FileOrCreate", "File", "Socket", "CharDevice", "BlockDevice"])
            }
            if let claim = volume["persistentVolumeClaim"], (claim["claimName"]?.stringValue ?? "").isEmpty {
                add(.required(p.child("persistentVolumeClaim").child("claimName")))
            }
        }
        return seen
    }

    mutating func container(_ c: JSONValue, _ path: FieldPath, volumeNames: Set<String>, names containerNames: inout Set<String>, isInit: Bool) {
        let name = c["name"]?.stringValue ?? ""
        if name.isEmpty {
            add(.required(path.child("name")))
        } else {
            names(name, path.child("name"), Names.dns1123LabelErrors)
            if !containerNames.insert(name).inserted { add(.duplicate(path.child("name"), .string(name))) }
        }
        if (c["image"]?.stringValue ?? "").trimmingSpaces.isEmpty {
            add(.required(path.child("image")))
        }
        oneOf(c["imagePullPolicy"], path.child("imagePullPolicy"), ["Always", "IfNotPresent", "Never"])
        oneOf(c["terminationMessagePolicy"], path.child("terminationMessagePolicy"), ["File", "FallbackToLogsOnError"])
        if isInit {
            oneOf(c["restartPolicy"], path.child("restartPolicy"), ["Always"])
        } else if c["restartPolicy"] != nil, c["restartPolicy"] != .null {
            add(.forbidden(path.child("restartPolicy"), "may not be set for non-init containers"))
        }
        var portNames = Set<String>()
        for (i, port) in (c["ports"]?.arrayValue ?? []).enumerated() {
            let p = path.child("ports").index(i)
            portNumber(port["containerPort"], p.child("containerPort"), required: true)
            if let hp = port["hostPort"], hp.intValue != 0 { portNumber(hp, p.child("hostPort"), required: false) }
            oneOf(port["protocol"], p.child("protocol"), Self.protocols)
            if let pn = port["name"]?.stringValue, !pn.isEmpty {
                names(pn, p.child("name"), Names.portNameErrors)
                if !portNames.insert(pn).inserted { add(.duplicate(p.child("name"), .string(pn))) }
            }
        }
        for (i, env) in (c["env"]?.arrayValue ?? []).enumerated() {
            envVar(env, path.child("env").index(i))
        }
        for (i, source) in (c["envFrom"]?.arrayValue ?? []).enumerated() {
            let p = path.child("envFrom").index(i)
            let count = ["configMapRef", "secretRef"].filter { source[$0] != nil && source[$0] != .null }.count
            if count == 0 { add(.invalid(p, nil, "must specify one of: `configMapRef` or `secretRef`")) }
            if count > 1 { add(.invalid(p, nil, "may not have more than one field specified at a time")) }
        }
        var mountPaths = Set<String>()
        for (i, mount) in (c["volumeMounts"]?.arrayValue ?? []).enumerated() {
            let p = path.child("volumeMounts").index(i)
            let vname = mount["name"]?.stringValue ?? ""
            if vname.isEmpty {
                add(.required(p.child("name")))
            } else if !volumeNames.contains(vname) {
                add(FieldError(.notFound, p.child("name"), .string(vname)))
            }
            let mountPath = mount["mountPath"]?.stringValue ?? ""
            if mountPath.isEmpty {
                add(.required(p.child("mountPath")))
            } else if !mountPaths.insert(mountPath).inserted {
                add(.invalid(p.child("mountPath"), .string(mountPath), "must be unique"))
            }
            if let sub = mount["subPath"]?.stringValue, sub.hasPrefix("/") || sub.split(separator: "/").contains("..") {
                add(.invalid(p.child("subPath"), .string(sub), "must be a relative path without '..'"))
            }
            oneOf(mount["mountPropagation"], p.child("mountPropagation"), ["Bidirectional", "HostToContainer", "None"])
        }
        resources(c["resources"], path.child("resources"))
        for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
            guard let pv = c[probe], !pv.isNull else { continue }
            self.probe(pv, path.child(probe))
            if probe != "readinessProbe", let s = pv["successThreshold"]?.intValue, s != 1 {
                add(.invalid(path.child(probe).child("successThreshold"), pv["successThreshold"], "must be 1"))
            }
        }
        for hook in ["postStart", "preStop"] {
            guard let h = c["lifecycle"]?[hook], !h.isNull else { continue }
            handler(h, path.child("lifecycle").child(hook), allowed: ["exec", "httpGet", "tcpSocket", "sleep"])
        }
        if let caps = c["securityContext"] {
            if caps["privileged"]?.boolValue == true, caps["allowPrivilegeEscalation"]?.boolValue == false {
                add(.invalid(path.child("securityContext"), nil, "cannot set `allowPrivilegeEscalation` to false and `privileged` to true"))
            }
        }
    }

    mutating func envVar(_ env: JSONValue, _ path: FieldPath) {
        let name = env["name"]?.stringValue ?? ""
        if name.isEmpty {
            add(.required(path.child("name")))
        } else if name.contains("=") || name.unicodeScalars.contains(where: { $0.value < 32 || $0.value > 126 }) {
            add(.invalid(path.child("name"), .string(name), "a valid environment variable name must consist only of printable ASCII characters other than '='"))
        }
        guard let from = env["valueFrom"], !from.isNull else { return }
        let p = path.child("valueFrom")
        let sources = ["fieldRef", "resourceFieldRef", "configMapKeyRef", "secretKeyRef", "fileKeyRef"].filter { from[$0] != nil && from[$0] != .null }
        if sources.isEmpty {
            add(.invalid(p, nil, "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"))
        } else if sources.count > 1 {
            add(.invalid(p, nil, "may not have more than one field specified at a time"))
        }
        if let value = env["value"]?.stringValue, !value.isEmpty {
            add(.invalid(p, nil, "may not be specified when `value` is not empty"))
        }
        for ref in ["configMapKeyRef", "secretKeyRef"] {
            if let r = from[ref], !r.isNull {
                if (r["key"]?.stringValue ?? "").isEmpty { add(.required(p.child(ref).child("key"))) }
                if (r["name"]?.stringValue ?? "").isEmpty { add(.required(p.child(ref).child("name"))) }
            }
        }
        if let r = from["fieldRef"], !r.isNull, (r["fieldPath"]?.stringValue ?? "").isEmpty {
            add(.required(p.child("fieldRef").child("fieldPath")))
        }
    }

    mutating func resources(_ value: JSONValue?, _ path: FieldPath) {
        guard let value else { return }
        let limits = value["limits"]?.objectValue ?? JSONObject()
        let requests = value["requests"]?.objectValue ?? JSONObject()
        for (name, q) in limits {
            if let v = Quantity.value(of: q), v < 0 {
                add(.invalid(path.child("limits").key(name), q, "must be greater than or equal to 0"))
            }
        }
        for (name, q) in requests {
            let p = path.child("requests").key(name)
            guard let request = Quantity.value(of: q) else { continue }
            if request < 0 { add(.invalid(p, q, "must be greater than or equal to 0")) }
            if let limitValue = limits[name], let limit = Quantity.value(of: limitValue), request > limit {
                let limitText = limitValue.stringValue ?? limitValue.jsonString()
                add(.invalid(p, q, "must be less than or equal to \(name) limit of \(limitText)"))
            }
        }
    }

    mutating func probe(_ probe: JSONValue, _ path: FieldPath) {
        handler(probe, path, allowed: ["exec", "httpGet", "tcpSocket", "grpc"])
        for key in ["initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold"] {
            nonNegative(probe[key], path.child(key))
        }
        positive(probe["terminationGracePeriodSeconds"], path.child("terminationGracePeriodSeconds"))
    }

    mutating func handler(_ h: JSONValue, _ path: FieldPath, allowed: [String]) {
        let present = allowed.filter { h[$0] != nil && h[$0] != .null }
        if present.isEmpty {
            add(.required(path, "must specify a handler type"))
        } else if present.count > 1 {
            add(.forbidden(path.child(present[1]), "may not specify more than 1 handler type"))
        }
        if let http = h["httpGet"], !http.isNull {
            intOrStringPort(http["port"], path.child("httpGet").child("port"))
            oneOf(http["scheme"], path.child("httpGet").child("scheme"), ["HTTP", "HTTPS"])
        }
        if let tcp = h["tcpSocket"], !tcp.isNull {
            intOrStringPort(tcp["port"], path.child("tcpSocket").child("port"))
        }
        if let grpc = h["grpc"], !grpc.isNull {
            portNumber(grpc["port"], path.child("grpc").child("port"), required: true)
        }
        if let exec = h["exec"], !exec.isNull, (exec["command"]?.arrayValue ?? []).isEmpty {
            add(.required(path.child("exec").child("command")))
        }
    }

    /// A port given as a number (1–65535) or an IANA service name.
    mutating func intOrStringPort(_ value: JSONValue?, _ path: FieldPath) {
        switch value {
        case .none, .null?: add(.required(path))
        case .string(let s)?: names(s, path, Names.portNameErrors)
        default: portNumber(value, path, required: true)
        }
    }

    mutating func toleration(_ t: JSONValue, _ path: FieldPath) {
        let op = t["operator"]?.stringValue ?? "Equal"
        oneOf(t["operator"], path.child("operator"), ["Equal", "Exists"])
        if let key = t["key"]?.stringValue, !key.isEmpty {
            names(key, path.child("key"), Names.qualifiedNameErrors)
        } else if op != "Exists" {
            add(.invalid(path.child("operator"), .string(op), "operator must be Exists when `key` is empty, which means \"match all values and all keys\""))
        }
        if op == "Exists", let value = t["value"]?.stringValue, !value.isEmpty {
            add(.invalid(path.child("operator"), .string(op), "value must be empty when `operator` is 'Exists'"))
        }
        oneOf(t["effect"], path.child("effect"), ["NoSchedule", "PreferNoSchedule", "NoExecute"])
        if t["tolerationSeconds"] != nil, t["tolerationSeconds"] != .null, t["effect"]?.stringValue != "NoExecute" {
            add(.invalid(path.child("effect"), t["effect"], "effect must be 'NoExecute' when `tolerationSeconds` is set"))
        }
    }

    mutating func affinity(_ a: JSONValue?, _ path: FieldPath) {
        guard let a else { return }
        let nodeTerms = a["nodeAffinity"]?["requiredDuringSchedulingIgnoredDuringExecution"]?["nodeSelectorTerms"]
        if let required = a["nodeAffinity"]?["requiredDuringSchedulingIgnoredDuringExecution"], !required.isNull,
           (nodeTerms?.arrayValue ?? []).isEmpty
        {
            add(.required(path.child("nodeAffinity").child("requiredDuringSchedulingIgnoredDuringExecution").child("nodeSelectorTerms"),
                          "must have at least one node selector term"))
        }
        for (i, pref) in (a["nodeAffinity"]?["preferredDuringSchedulingIgnoredDuringExecution"]?.arrayValue ?? []).enumerated() {
            if let w = pref["weight"]?.intValue, !(1...100).contains(w) {
                add(.invalid(path.child("nodeAffinity").child("preferredDuringSchedulingIgnoredDuringExecution").index(i).child("weight"),
                             pref["weight"], "must be in the range 1-100"))
            }
        }
        for kind in ["podAffinity", "podAntiAffinity"] {
            let p = path.child(kind)
            for (i, term) in (a[kind]?["requiredDuringSchedulingIgnoredDuringExecution"]?.arrayValue ?? []).enumerated() {
                if (term["topologyKey"]?.stringValue ?? "").isEmpty {
                    add(.required(p.child("requiredDuringSchedulingIgnoredDuringExecution").index(i).child("topologyKey"), "can not be empty"))
                }
                labelSelector(term["labelSelector"], p.child("requiredDuringSchedulingIgnoredDuringExecution").index(i).child("labelSelector"))
            }
            for (i, term) in (a[kind]?["preferredDuringSchedulingIgnoredDuringExecution"]?.arrayValue ?? []).enumerated() {
                let tp = p.child("preferredDuringSchedulingIgnoredDuringExecution").index(i)
                if let w = term["weight"]?.intValue, !(1...100).contains(w) {
                    add(.invalid(tp.child("weight"), term["weight"], "must be in the range 1-100"))
                }
                if (term["podAffinityTerm"]?["topologyKey"]?.stringValue ?? "").isEmpty {
                    add(.required(tp.child("podAffinityTerm").child("topologyKey"), "can not be empty"))
                }
            }
        }
    }

    /// Pod updates may change only container images, activeDeadlineSeconds, tolerations
    /// (additions) and the removal of scheduling gates.
    mutating func podUpdate(old: JSONValue, new: JSONValue) {
        guard var relaxed = old["spec"], let newSpec = new["spec"] else { return }
        for key in ["containers", "initContainers"] {
            guard let oldList = relaxed[key]?.arrayValue, let newList = newSpec[key]?.arrayValue, oldList.count == newList.count else { continue }
            var patched = oldList
            for i in patched.indices { patched[i]["image"] = newList[i]["image"] }
            relaxed[key] = .array(patched)
        }
        let oldDeadline = old["spec"]?["activeDeadlineSeconds"]?.intValue
        let newDeadline = newSpec["activeDeadlineSeconds"]?.intValue
        if let newDeadline, oldDeadline == nil || newDeadline <= (oldDeadline ?? .max) {
            relaxed["activeDeadlineSeconds"] = newSpec["activeDeadlineSeconds"]
        }
        let oldTolerations = old["spec"]?["tolerations"]?.arrayValue ?? []
        let newTolerations = newSpec["tolerations"]?.arrayValue ?? []
        if oldTolerations.allSatisfy({ t in newTolerations.contains(t) }) {
            relaxed["tolerations"] = newSpec["tolerations"]
        }
        let oldGates = old["spec"]?["schedulingGates"]?.arrayValue ?? []
        let newGates = newSpec["schedulingGates"]?.arrayValue ?? []
        if newGates.allSatisfy({ oldGates.contains($0) }) { relaxed["schedulingGates"] = newSpec["schedulingGates"] }
        if old["spec"]?["nodeName"] == nil || old["spec"]?["nodeName"] == .null || old["spec"]?["nodeName"] == "" {
            // Binding sets nodeName once; the apiserver's binding path writes it.
            relaxed["nodeName"] = newSpec["nodeName"]
        }
        if relaxed != newSpec {
            add(.forbidden(FieldPath("spec"), "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)"))
        }
    }
}

extension String {
    var trimmingSpaces: Substring {
        var s = self[...]
        while s.first?.isWhitespace == true { s = s.dropFirst() }
        while s.last?.isWhitespace == true { s = s.dropLast() }
        return s
    }
}
