// Prints timings of the APIModel hot paths, side by side with Foundation's JSONSerialization
// on the same input (the peer every Swift server could use instead). Run it in release:
// Scripts/bench/apimodel.
import APIModel
import Foundation

func nowNanoseconds() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

/// Median of `runs` runs of `iterations` calls, in nanoseconds per call.
func measure(_ iterations: Int, runs: Int = 7, _ body: () throws -> Void) rethrows -> Double {
    var samples: [Double] = []
    for _ in 0..<runs {
        let start = nowNanoseconds()
        for _ in 0..<iterations { try body() }
        samples.append(Double(nowNanoseconds() - start) / Double(iterations))
    }
    samples.sort()
    return samples[samples.count / 2]
}

func row(_ name: String, _ ours: Double, _ peer: Double?) {
    let oursText = String(format: "%10.0f ns", ours)
    if let peer {
        print("\(name.padding(toLength: 44, withPad: " ", startingAt: 0)) \(oursText)   peer \(String(format: "%10.0f ns", peer))   ratio \(String(format: "%.2f", ours / peer))")
    } else {
        print("\(name.padding(toLength: 44, withPad: " ", startingAt: 0)) \(oursText)")
    }
}

let deploymentYAML = """
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
      namespace: default
      labels: {app: web, tier: front, team: payments}
      annotations: {description: "the public web front end", owner: "team-payments@example.com"}
    spec:
      replicas: 3
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web, tier: front}}
        spec:
          containers:
          - name: web
            image: registry.local:5000/web:1.4.2
            args: [--port=8080, --log-level=info]
            ports: [{containerPort: 8080, name: http}, {containerPort: 9090, name: metrics}]
            env:
            - {name: MODE, value: production}
            - {name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
            - {name: DB_PASSWORD, valueFrom: {secretKeyRef: {name: db, key: password}}}
            resources: {requests: {cpu: 250m, memory: 256Mi}, limits: {cpu: "1", memory: 512Mi}}
            volumeMounts: [{name: config, mountPath: /etc/web}, {name: cache, mountPath: /var/cache/web}]
            livenessProbe: {httpGet: {path: /healthz, port: http}, initialDelaySeconds: 5}
            readinessProbe: {httpGet: {path: /ready, port: http}}
          - name: proxy
            image: envoy:1.30
            ports: [{containerPort: 10000}]
          volumes:
          - {name: config, configMap: {name: web-config}}
          - {name: cache, emptyDir: {sizeLimit: 1Gi}}
          affinity:
            podAntiAffinity:
              preferredDuringSchedulingIgnoredDuringExecution:
              - weight: 100
                podAffinityTerm: {topologyKey: kubernetes.io/hostname, labelSelector: {matchLabels: {app: web}}}
    """

do {
    guard let resource = ResourceRegistry.resource(group: "apps", version: "v1", plural: "deployments") else { fatalError("no deployments") }
    var deployment = try JSONValue.parseYAML(deploymentYAML)
    let bytes = deployment.encoded()
    let data = Data(bytes)
    var configMap: JSONValue = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "big", "namespace": "default"]]
    var entries = JSONObject()
    for i in 0..<2000 { entries["key-\(i)"] = .string(String(repeating: "v", count: 100)) }
    configMap["data"] = .object(entries)
    let bigBytes = configMap.encoded()
    let bigData = Data(bigBytes)
    print("deployment: \(bytes.count) bytes; configmap: \(bigBytes.count) bytes (2000 keys)")

    row("parse deployment", try measure(2000) { _ = try JSONValue.parse(bytes) },
        try measure(2000) { _ = try JSONSerialization.jsonObject(with: data) })
    let foundationDeployment = try JSONSerialization.jsonObject(with: data)
    row("serialize deployment", measure(2000) { _ = deployment.encoded() },
        try measure(2000) { _ = try JSONSerialization.data(withJSONObject: foundationDeployment) })
    row("parse configmap (2000 keys)", try measure(50) { _ = try JSONValue.parse(bigBytes) },
        try measure(50) { _ = try JSONSerialization.jsonObject(with: bigData) })
    let foundationMap = try JSONSerialization.jsonObject(with: bigData)
    row("serialize configmap (2000 keys)", measure(50) { _ = configMap.encoded() },
        try measure(50) { _ = try JSONSerialization.data(withJSONObject: foundationMap) })

    row("decode+default+validate deployment (create)", try measure(1000) {
        var object = try BodyDecoder.decode(bytes, resource: resource, fieldValidation: .strict).object
        Defaulting.apply(&object, resource: resource)
        _ = Validation.validate(object, resource: resource)
    }, nil)
    Defaulting.apply(&deployment, resource: resource)
    let patch = try JSONValue(json: #"{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"web"},{"name":"proxy"}],"containers":[{"image":"registry.local:5000/web:1.4.3","name":"web"}]}}}}"#)
    row("strategic merge patch (image change)", try measure(2000) {
        _ = try StrategicMergePatch.apply(patch, to: deployment, schema: resource.schema)
    }, nil)
    row("OpenAPI documents (all group-versions)", measure(3, runs: 3) { _ = OpenAPIDocuments(resources: ResourceRegistry.all) }, nil)
} catch {
    print("benchmark failed: \(error)")
    exit(1)
}
