/// apps/v1, batch/v1 and ReplicationController rules.
extension Validator {
    /// Selector present, non-empty and matching the template's labels; replicas ≥ 0; the pod
    /// template valid with the allowed restart policies.
    mutating func selectorAndTemplate(_ spec: JSONValue?, _ path: FieldPath, kind: String, restartPolicies: [String] = ["Always"]) {
        let selector = spec?["selector"]
        if selector == nil || selector == .null {
            add(.required(path.child("selector")))
        } else if let selector {
            labelSelector(selector, path.child("selector"))
            if Self.isEmptySelector(selector) {
                add(.invalid(path.child("selector"), selector, "empty selector is invalid for \(kind)"))
            } else {
                let templateLabels = spec?["template"]?["metadata"]?["labels"]?.objectValue ?? JSONObject()
                if !Self.selector(selector, matches: templateLabels) {
                    add(.invalid(path.child("template").child("metadata").child("labels"),
                                 .object(templateLabels), "`selector` does not match template `labels`"))
                }
            }
        }
        template(spec?["template"], path.child("template"), restartPolicies: restartPolicies)
    }

    mutating func template(_ template: JSONValue?, _ path: FieldPath, restartPolicies: [String]) {
        guard let template, !template.isNull else {
            add(.required(path))
            return
        }
        labels(template["metadata"]?["labels"], path.child("metadata").child("labels"))
        annotations(template["metadata"]?["annotations"], path.child("metadata").child("annotations"))
        podSpec(template["spec"], path.child("spec"), isTemplate: true, restartPolicies: restartPolicies)
    }

    mutating func deployment(_ o: JSONValue) {
        let spec = o["spec"]
        let path = FieldPath("spec")
        nonNegative(spec?["replicas"], path.child("replicas"))
        selectorAndTemplate(spec, path, kind: "deployment")
        nonNegative(spec?["minReadySeconds"], path.child("minReadySeconds"))
        nonNegative(spec?["revisionHistoryLimit"], path.child("revisionHistoryLimit"))
        if let deadline = spec?["progressDeadlineSeconds"]?.intValue {
            if deadline <= 0 { add(.invalid(path.child("progressDeadlineSeconds"), spec?["progressDeadlineSeconds"], "must be greater than zero")) }
            if let minReady = spec?["minReadySeconds"]?.intValue, deadline <= minReady {
                add(.invalid(path.child("progressDeadlineSeconds"), spec?["progressDeadlineSeconds"], "must be greater than minReadySeconds"))
            }
        }
        let strategy = spec?["strategy"]
        let sp = path.child("strategy")
        oneOf(strategy?["type"], sp.child("type"), ["Recreate", "RollingUpdate"])
        let rolling = strategy?["rollingUpdate"]
        if strategy?["type"]?.stringValue == "Recreate", let rolling, !rolling.isNull {
            add(.forbidden(sp.child("rollingUpdate"), "may not be specified when strategy `type` is 'Recreate'"))
        } else if let rolling, !rolling.isNull {
            rollingUpdate(maxUnavailable: rolling["maxUnavailable"], maxSurge: rolling["maxSurge"], sp.child("rollingUpdate"))
        }
    }

    mutating func rollingUpdate(maxUnavailable: JSONValue?, maxSurge: JSONValue?, _ path: FieldPath) {
        intOrPercent(maxUnavailable, path.child("maxUnavailable"))
        intOrPercent(maxSurge, path.child("maxSurge"))
        if isZero(maxUnavailable), isZero(maxSurge) {
            add(.invalid(path.child("maxUnavailable"), maxUnavailable, "may not be 0 when `maxSurge` is 0"))
        }
        if let s = maxUnavailable?.stringValue, let pct = Int(s.dropLast()), s.hasSuffix("%"), pct > 100 {
            add(.invalid(path.child("maxUnavailable"), maxUnavailable, "must not be greater than 100%"))
        }
    }

    func isZero(_ v: JSONValue?) -> Bool {
        switch v {
        case .int(0)?: return true
        case .string("0%")?, .string("0")?: return true
        default: return false
        }
    }

    /// A non-negative integer or a percentage string.
    mutating func intOrPercent(_ value: JSONValue?, _ path: FieldPath) {
        switch value {
        case .int(let i)?:
            if i < 0 { add(.invalid(path, value, "must be greater than or equal to 0")) }
        case .string(let s)?:
            if !s.hasSuffix("%") || Int(s.dropLast()) == nil {
                add(.invalid(path, value, "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"))
            } else if let i = Int(s.dropLast()), i < 0 {
                add(.invalid(path, value, "must be greater than or equal to 0"))
            }
        default: break
        }
    }

    mutating func replicaSet(_ o: JSONValue) {
        let spec = o["spec"]
        nonNegative(spec?["replicas"], FieldPath("spec.replicas"))
        nonNegative(spec?["minReadySeconds"], FieldPath("spec.minReadySeconds"))
        selectorAndTemplate(spec, FieldPath("spec"), kind: "replicaset")
    }

    mutating func replicationController(_ o: JSONValue) {
        let spec = o["spec"]
        let path = FieldPath("spec")
        nonNegative(spec?["replicas"], path.child("replicas"))
        let selector = spec?["selector"]?.objectValue ?? JSONObject()
        if selector.isEmpty {
            add(.required(path.child("selector")))
        } else {
            labels(spec?["selector"], path.child("selector"))
            let templateLabels = spec?["template"]?["metadata"]?["labels"]?.objectValue ?? JSONObject()
            if !selector.allSatisfy({ templateLabels[$0.0] == $0.1 }) {
                add(.invalid(path.child("template").child("metadata").child("labels"), .object(templateLabels),
                             "`selector` does not match template `labels`"))
            }
        }
        template(spec?["template"], path.child("template"), restartPolicies: ["Always"])
    }

    mutating func statefulSet(_ o: JSONValue) {
        let spec = o["spec"]
        let path = FieldPath("spec")
        nonNegative(spec?["replicas"], path.child("replicas"))
        selectorAndTemplate(spec, path, kind: "statefulset")
        oneOf(spec?["podManagementPolicy"], path.child("podManagementPolicy"), ["OrderedReady", "Parallel"])
        let strategy = spec?["updateStrategy"]
        oneOf(strategy?["type"], path.child("updateStrategy").child("type"), ["RollingUpdate", "OnDelete"])
        if strategy?["type"]?.stringValue == "OnDelete", let r = strategy?["rollingUpdate"], !r.isNull {
            add(.invalid(path.child("updateStrategy").child("rollingUpdate"), nil, "only allowed for updateStrategy 'RollingUpdate'"))
        }
        nonNegative(strategy?["rollingUpdate"]?["partition"], path.child("updateStrategy").child("rollingUpdate").child("partition"))
        let retention = spec?["persistentVolumeClaimRetentionPolicy"]
        oneOf(retention?["whenDeleted"], path.child("persistentVolumeClaimRetentionPolicy").child("whenDeleted"), ["Retain", "Delete"])
        oneOf(retention?["whenScaled"], path.child("persistentVolumeClaimRetentionPolicy").child("whenScaled"), ["Retain", "Delete"])
        for (i, claim) in (spec?["volumeClaimTemplates"]?.arrayValue ?? []).enumerated() {
            let name = claim["metadata"]?["name"]?.stringValue ?? ""
            let p = path.child("volumeClaimTemplates").index(i)
            if name.isEmpty { add(.required(p.child("metadata").child("name"))) } else { names(name, p.child("metadata").child("name"), Names.dns1123SubdomainErrors) }
            pvcSpec(claim["spec"], p.child("spec"))
        }
        if let serviceName = spec?["serviceName"]?.stringValue, !serviceName.isEmpty {
            names(serviceName, path.child("serviceName"), Names.dns1035LabelErrors)
        }
    }

    mutating func daemonSet(_ o: JSONValue) {
        let spec = o["spec"]
        let path = FieldPath("spec")
        selectorAndTemplate(spec, path, kind: "daemonset")
        let strategy = spec?["updateStrategy"]
        oneOf(strategy?["type"], path.child("updateStrategy").child("type"), ["RollingUpdate", "OnDelete"])
        if let rolling = strategy?["rollingUpdate"], !rolling.isNull {
            rollingUpdate(maxUnavailable: rolling["maxUnavailable"], maxSurge: rolling["maxSurge"], path.child("updateStrategy").child("rollingUpdate"))
        }
        nonNegative(spec?["revisionHistoryLimit"], path.child("revisionHistoryLimit"))
    }

    mutating func jobSpec(_ spec: JSONValue?, _ path: FieldPath, metadataOfTemplateOwner: JSONValue?) {
        for key in ["parallelism", "completions", "backoffLimit", "ttlSecondsAfterFinished", "backoffLimitPerIndex", "maxFailedIndexes"] {
            nonNegative(spec?[key], path.child(key))
        }
        positive(spec?["activeDeadlineSeconds"], path.child("activeDeadlineSeconds"))
        oneOf(spec?["completionMode"], path.child("completionMode"), ["NonIndexed", "Indexed"])
        if spec?["completionMode"]?.stringValue == "Indexed", spec?["completions"]?.intValue == nil {
            add(.required(path.child("completions"), "when completion mode is Indexed"))
        }
        if spec?["manualSelector"]?.boolValue == true {
            selectorAndTemplate(spec, path, kind: "job", restartPolicies: ["OnFailure", "Never"])
        } else {
            if let selector = spec?["selector"], !selector.isNull {
                labelSelector(selector, path.child("selector"))
                let templateLabels = spec?["template"]?["metadata"]?["labels"]?.objectValue ?? JSONObject()
                if !Self.isEmptySelector(selector), !Self.selector(selector, matches: templateLabels) {
                    add(.invalid(path.child("template").child("metadata").child("labels"), .object(templateLabels),
                                 "`selector` does not match template `labels`"))
                }
            }
            template(spec?["template"], path.child("template"), restartPolicies: ["OnFailure", "Never"])
        }
    }

    mutating func cronJob(_ o: JSONValue) {
        let spec = o["spec"]
        let path = FieldPath("spec")
        if let schedule = spec?["schedule"]?.stringValue, !schedule.isEmpty {
            if let problem = CronSchedule.problem(schedule) {
                add(.invalid(path.child("schedule"), .string(schedule), problem))
            }
        } else {
            add(.required(path.child("schedule")))
        }
        oneOf(spec?["concurrencyPolicy"], path.child("concurrencyPolicy"), ["Allow", "Forbid", "Replace"])
        nonNegative(spec?["startingDeadlineSeconds"], path.child("startingDeadlineSeconds"))
        nonNegative(spec?["successfulJobsHistoryLimit"], path.child("successfulJobsHistoryLimit"))
        nonNegative(spec?["failedJobsHistoryLimit"], path.child("failedJobsHistoryLimit"))
        if let name = o["metadata"]?["name"]?.stringValue, name.utf8.count > 52 {
            add(.invalid(FieldPath("metadata.name"), .string(name), "must be no more than 52 characters"))
        }
        let jobTemplate = spec?["jobTemplate"]
        if jobTemplate == nil || jobTemplate == .null {
            add(.required(path.child("jobTemplate")))
        } else {
            jobSpec(jobTemplate?["spec"], path.child("jobTemplate").child("spec"), metadataOfTemplateOwner: nil)
        }
    }

    mutating func statefulSetUpdate(old: JSONValue, new: JSONValue) {
        var relaxed = old["spec"] ?? .emptyObject
        for key in ["replicas", "ordinals", "template", "updateStrategy", "persistentVolumeClaimRetentionPolicy", "minReadySeconds", "revisionHistoryLimit"] {
            relaxed[key] = new["spec"]?[key]
        }
        if relaxed != (new["spec"] ?? .emptyObject) {
            add(.forbidden(FieldPath("spec"), "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"))
        }
    }

    mutating func jobUpdate(old: JSONValue, new: JSONValue) {
        immutable(old["spec"]?["selector"], new["spec"]?["selector"], FieldPath("spec.selector"))
        immutable(old["spec"]?["completionMode"], new["spec"]?["completionMode"], FieldPath("spec.completionMode"))
        // The template is immutable, except that a suspended job may change scheduling directives.
        var oldTemplate = old["spec"]?["template"] ?? .null
        let newTemplate = new["spec"]?["template"] ?? .null
        if old["spec"]?["suspend"]?.boolValue == true {
            for key in ["nodeSelector", "tolerations", "affinity", "schedulingGates"] {
                oldTemplate["spec"]?[key] = newTemplate["spec"]?[key]
            }
        }
        if oldTemplate != newTemplate {
            add(.invalid(FieldPath("spec.template"), nil, "field is immutable"))
        }
    }
}

/// Standard five-field cron syntax (minute hour day-of-month month day-of-week), with the
/// `@yearly`-style descriptors and `TZ=`/`CRON_TZ=` refused as Kubernetes does.
public enum CronSchedule {
    static let descriptors = ["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"]
    static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    static let days = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]

    /// Why the schedule is invalid, or nil when it is valid.
    public static func problem(_ schedule: String) -> String? {
        let trimmed = String(schedule.trimmingSpaces)
        if trimmed.hasPrefix("TZ=") || trimmed.hasPrefix("CRON_TZ=") {
            return "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"
        }
        if trimmed.hasPrefix("@") {
            if descriptors.contains(trimmed) { return nil }
            if trimmed.hasPrefix("@every ") { return nil }
            return "unrecognized descriptor: \(trimmed)"
        }
        let fields = trimmed.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard fields.count == 5 else { return "expected exactly 5 fields, found \(fields.count): \(trimmed)" }
        let ranges: [(ClosedRange<Int>, [String])] = [(0...59, []), (0...23, []), (1...31, []), (1...12, months), (0...7, days)]
        for (field, (range, names)) in zip(fields, ranges) {
            if let p = fieldProblem(String(field), range, names) { return p }
        }
        return nil
    }

    static func fieldProblem(_ field: String, _ range: ClosedRange<Int>, _ names: [String]) -> String? {
        func value(_ s: Substring) -> Int? {
            if let i = Int(s) { return i }
            if let idx = names.firstIndex(of: s.lowercased()) { return names.count == 12 ? idx + 1 : idx }
            return nil
        }
        for part in field.split(separator: ",", omittingEmptySubsequences: false) {
            var base = part
            if let slash = part.firstIndex(of: "/") {
                base = part[..<slash]
                guard let step = Int(part[part.index(after: slash)...]), step > 0 else { return "invalid step in \(field)" }
            }
            if base == "*" || base == "?" { continue }
            let bounds = base.split(separator: "-", omittingEmptySubsequences: false)
            guard (1...2).contains(bounds.count) else { return "failed to parse \(field)" }
            var numbers: [Int] = []
            for b in bounds {
                guard let v = value(b) else { return "failed to parse int from \(b): \(field)" }
                numbers.append(v)
            }
            for n in numbers where !range.contains(n) {
                return "value (\(n)) out of range [\(range.lowerBound), \(range.upperBound)]: \(field)"
            }
            if numbers.count == 2, numbers[0] > numbers[1] { return "beginning of range (\(numbers[0])) beyond end of range (\(numbers[1])): \(field)" }
        }
        return nil
    }
}
