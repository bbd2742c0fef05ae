import APIModel
import ClusterClient

/// The stable identity of a StatefulSet's pods: name `<set>-<ordinal>`, hostname and
/// subdomain for the governing Service's DNS, identity labels, and one claim per
/// volumeClaimTemplate named `<template>-<set>-<ordinal>`.
enum StatefulSetIdentity {
    static let podNameLabel = "statefulset.kubernetes.io/pod-name"
    static let podIndexLabel = "apps.kubernetes.io/pod-index"
    static let revisionLabel = "controller-revision-hash"

    /// The ordinal of `pod` in `set`, nil when the name is not `<set>-<n>`.
    static func ordinal(of pod: JSONValue, in set: JSONValue) -> Int? {
        let prefix = set.name + "-"
        guard pod.name.hasPrefix(prefix), let ordinal = Int(pod.name.dropFirst(prefix.count)), ordinal >= 0 else { return nil }
        return ordinal
    }

    static func podName(_ set: JSONValue, _ ordinal: Int) -> String { "\(set.name)-\(ordinal)" }

    static func claimName(_ claimTemplate: JSONValue, _ set: JSONValue, _ ordinal: Int) -> String {
        "\(claimTemplate.name)-\(set.name)-\(ordinal)"
    }

    /// The pod for `ordinal` from `template` (the template of `revisionName`).
    static func pod(_ set: JSONValue, ordinal: Int, template: JSONValue, revisionName: String) -> JSONValue {
        let name = podName(set, ordinal)
        var pod = PodControl.pod(from: template, owner: set, ownerResource: .statefulSets, extraLabels: [
            podNameLabel: name, podIndexLabel: String(ordinal), revisionLabel: revisionName,
        ])
        pod["metadata"]?["generateName"] = nil
        pod["metadata"]?["name"] = .string(name)
        pod["spec"]?["hostname"] = .string(name)
        if let service = set.string("spec", "serviceName"), !service.isEmpty {
            pod["spec"]?["subdomain"] = .string(service)
        }
        // Each claim template becomes the volume of that name, replacing a template volume.
        let claims = set["spec"]?["volumeClaimTemplates"]?.arrayValue ?? []
        if !claims.isEmpty {
            var volumes = pod["spec"]?["volumes"]?.arrayValue ?? []
            for claim in claims {
                volumes.removeAll { $0["name"]?.stringValue == claim.name }
                volumes.append(["name": .string(claim.name),
                                "persistentVolumeClaim": ["claimName": .string(claimName(claim, set, ordinal))]])
            }
            pod["spec"]?["volumes"] = .array(volumes)
        }
        return pod
    }

    /// The claims of `ordinal`, labelled with the set's selector labels. They carry no owner
    /// reference: with the default Retain policy they outlive their pod and the set.
    static func claims(_ set: JSONValue, ordinal: Int) -> [JSONValue] {
        let selectorLabels = set["spec"]?["selector"]?["matchLabels"]?.objectValue ?? JSONObject()
        return (set["spec"]?["volumeClaimTemplates"]?.arrayValue ?? []).map { template in
            var labels = template["metadata"]?["labels"]?.objectValue ?? JSONObject()
            for (key, value) in selectorLabels { labels[key] = value }
            var metadata: JSONValue = ["name": .string(claimName(template, set, ordinal)),
                                       "namespace": .string(set.namespace ?? "default")]
            if !labels.isEmpty { metadata["labels"] = .object(labels) }
            if let annotations = template["metadata"]?["annotations"] { metadata["annotations"] = annotations }
            var claim: JSONValue = ["apiVersion": "v1", "kind": "PersistentVolumeClaim"]
            claim["metadata"] = metadata
            claim["spec"] = template["spec"] ?? .emptyObject
            return claim
        }
    }
}
