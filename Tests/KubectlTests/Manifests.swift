/// Small manifests the tests create, as JSON text (kubectl reads JSON and YAML alike).
enum Manifests {
    static func configMap(_ name: String, namespace: String = "default", labels: [String: String] = [:],
                          data: [String: String] = [:]) -> String {
        """
        {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"\(name)","namespace":"\(namespace)",\
        "labels":\(object(labels))},"data":\(object(data))}
        """
    }

    static func namespace(_ name: String) -> String {
        #"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"\#(name)"}}"#
    }

    /// A pod that nothing will run (no agent): it stays Pending, which is what `get` shows.
    static func pod(_ name: String, labels: [String: String] = ["app": "web"]) -> String {
        """
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"\(name)","labels":\(object(labels))},\
        "spec":{"containers":[{"name":"app","image":"nginx:1.25"}]}}
        """
    }

    static func deployment(_ name: String, replicas: Int = 2, labels: [String: String] = ["app": "web"],
                           containers: [(name: String, image: String, env: [(String, String)])] = [("app", "nginx:1.25", [])]) -> String {
        let containerList = containers.map { container in
            let env = container.env.map { #"{"name":"\#($0.0)","value":"\#($0.1)"}"# }.joined(separator: ",")
            return #"{"name":"\#(container.name)","image":"\#(container.image)","env":[\#(env)]}"#
        }.joined(separator: ",")
        return """
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"\(name)","namespace":"default",\
            "labels":\(object(labels))},"spec":{"replicas":\(replicas),"selector":{"matchLabels":{"app":"\(name)"}},\
            "template":{"metadata":{"labels":{"app":"\(name)"}},"spec":{"containers":[\(containerList)]}}}}
            """
    }

    static func object(_ map: [String: String]) -> String {
        "{" + map.sorted { $0.key < $1.key }.map { #""\#($0.key)":"\#($0.value)""# }.joined(separator: ",") + "}"
    }
}
