import Foundation

/// The path items of one resource: collection, object, all-namespaces list and the
/// subresources with a body (status, scale, eviction, binding).
struct OpenAPIPaths {
    let resource: ResourceInfo

    static func queryParameter(_ name: String, _ type: String, _ description: String) -> JSONValue {
        ["name": .string(name), "in": "query", "description": .string(description), "schema": ["type": .string(type), "uniqueItems": true]]
    }

    static let pretty = queryParameter("pretty", "string", "If 'true', then the output is pretty printed.")
    static let dryRun = queryParameter("dryRun", "string", "When present, indicates that modifications should not be persisted. Valid value: All.")
    static let fieldManager = queryParameter("fieldManager", "string", "A name associated with the actor or entity that is making these changes.")
    static let fieldValidation = queryParameter("fieldValidation", "string",
        "How the server treats unknown and duplicate fields: Ignore, Warn (default) or Strict.")
    static let force = queryParameter("force", "boolean", "Force is going to \"force\" Apply requests; it must be unset for non-apply patches.")
    static let listParameters: [JSONValue] = [
        queryParameter("allowWatchBookmarks", "boolean", "Requests watch events with type BOOKMARK."),
        queryParameter("continue", "string", "The continue token of a paged list."),
        queryParameter("fieldSelector", "string", "A selector to restrict the list of returned objects by their fields."),
        queryParameter("labelSelector", "string", "A selector to restrict the list of returned objects by their labels."),
        queryParameter("limit", "integer", "Maximum number of responses to return for a list call."),
        queryParameter("resourceVersion", "string", "Sets a constraint on what resource versions a request may be served from."),
        queryParameter("resourceVersionMatch", "string", "How resourceVersion is applied to list calls."),
        queryParameter("sendInitialEvents", "boolean", "Send synthetic ADDED events for the current state before watch events."),
        queryParameter("timeoutSeconds", "integer", "Timeout for the list/watch call."),
        queryParameter("watch", "boolean", "Watch for changes to the described resources."),
    ]
    static let deleteParameters: [JSONValue] = [
        dryRun,
        queryParameter("gracePeriodSeconds", "integer", "The duration in seconds before the object should be deleted."),
        queryParameter("ignoreStoreReadErrorWithClusterBreakingPotential", "boolean", "Delete objects that cannot be read from storage."),
        queryParameter("orphanDependents", "boolean", "Deprecated: use propagationPolicy."),
        queryParameter("propagationPolicy", "string", "Whether and how garbage collection will be performed: Orphan, Background or Foreground."),
    ]

    static func pathParameter(_ name: String, _ description: String) -> JSONValue {
        ["name": .string(name), "in": "path", "description": .string(description), "required": true,
         "schema": ["type": "string", "uniqueItems": true]]
    }

    var schemaName: String { resource.schema.objectSchema?.name ?? resource.kind }

    /// `CoreV1`, `AppsV1`, `CoordinationV1`: the operationId infix Kubernetes uses.
    var operationGroup: String {
        let group = resource.group.isEmpty ? "core" : String(resource.group.split(separator: ".").first ?? "")
        return group.prefix(1).uppercased() + group.dropFirst() + resource.version.prefix(1).uppercased() + resource.version.dropFirst()
    }

    var tag: String {
        let group = resource.group.isEmpty ? "core" : String(resource.group.split(separator: ".").first ?? "")
        return "\(group)_\(resource.version)"
    }

    func response(_ code: String, _ name: String) -> (String, JSONValue) {
        (code, ["description": .string(code == "201" ? "Created" : code == "202" ? "Accepted" : "OK"), "content": [
            "application/json": ["schema": OpenAPIBuilder.ref(name)],
            "application/yaml": ["schema": OpenAPIBuilder.ref(name)],
        ]])
    }

    func operation(_ verb: String, action: String, _ description: String, kind: GroupVersionKind, parameters: [JSONValue],
                   requestBody: JSONValue? = nil, responses: [(String, JSONValue)], suffix: String = "") -> JSONValue
    {
        let scope = resource.namespaced && !suffix.contains("ForAllNamespaces") ? "Namespaced" : ""
        var op: JSONValue = [
            "tags": [.string(tag)],
            "description": .string(description),
            "operationId": .string("\(verb)\(operationGroup)\(scope)\(kind.kind)\(suffix)"),
        ]
        if !parameters.isEmpty { op["parameters"] = .array(parameters) }
        if let requestBody { op["requestBody"] = requestBody }
        var responsesObject = JSONObject()
        for (code, r) in responses { responsesObject[code] = r }
        responsesObject["401"] = ["description": "Unauthorized"]
        op["responses"] = .object(responsesObject)
        op["x-kubernetes-action"] = .string(action)
        op["x-kubernetes-group-version-kind"] = kind.json
        return op
    }

    func body(_ name: String) -> JSONValue {
        ["content": ["*/*": ["schema": OpenAPIBuilder.ref(name)]], "required": true]
    }

    var patchBody: JSONValue {
        let ref = OpenAPIBuilder.ref(OpenAPIBuilder.patchName)
        return ["content": [
            "application/apply-patch+yaml": ["schema": ref],
            "application/json-patch+json": ["schema": ref],
            "application/merge-patch+json": ["schema": ref],
            "application/strategic-merge-patch+json": ["schema": ref],
        ], "required": true]
    }

    /// get/put/patch on an object or its status/scale subresource.
    func objectOperations(name: String, kind: GroupVersionKind, what: String, suffix: String, delete: Bool) -> JSONObject {
        var item = JSONObject()
        item["get"] = operation("read", action: "get", "read \(what)", kind: kind, parameters: [],
                                responses: [response("200", name)], suffix: suffix)
        item["put"] = operation("replace", action: "put", "replace \(what)", kind: kind,
                                parameters: [Self.dryRun, Self.fieldManager, Self.fieldValidation],
                                requestBody: body(name), responses: [response("200", name), response("201", name)], suffix: suffix)
        if delete {
            item["delete"] = operation("delete", action: "delete", "delete \(what)", kind: kind, parameters: Self.deleteParameters,
                                       requestBody: ["content": ["*/*": ["schema": OpenAPIBuilder.ref(meta("DeleteOptions"))]]],
                                       responses: [response("200", name), response("202", name)], suffix: suffix)
        }
        item["patch"] = operation("patch", action: "patch", "partially update \(what)", kind: kind,
                                  parameters: [Self.dryRun, Self.fieldManager, Self.fieldValidation, Self.force],
                                  requestBody: patchBody, responses: [response("200", name), response("201", name)], suffix: suffix)
        return item
    }

    func pathItems() -> [(String, JSONValue)] {
        let prefix = resource.groupVersion.pathPrefix
        let base = resource.namespaced ? "\(prefix)/namespaces/{namespace}/\(resource.plural)" : "\(prefix)/\(resource.plural)"
        var scopeParameters: [JSONValue] = []
        if resource.namespaced {
            scopeParameters.append(Self.pathParameter("namespace", "object name and auth scope, such as for teams and projects"))
        }
        let nameParameter = Self.pathParameter("name", "name of the \(resource.kind)")
        var out: [(String, JSONValue)] = []
        let kind = resource.gvk
        let listName = schemaName + "List"

        var collection = JSONObject()
        collection["get"] = operation("list", action: "list", "list or watch objects of kind \(resource.kind)", kind: kind,
                                      parameters: Self.listParameters, responses: [response("200", listName)])
        collection["post"] = operation("create", action: "post", "create \(resource.singular)", kind: kind,
                                       parameters: [Self.dryRun, Self.fieldManager, Self.fieldValidation], requestBody: body(schemaName),
                                       responses: [response("200", schemaName), response("201", schemaName), response("202", schemaName)])
        if resource.verbs.contains("deletecollection") {
            collection["delete"] = operation("deletecollection", action: "deletecollection", "delete collection of \(resource.kind)",
                                             kind: kind, parameters: Self.deleteParameters + Self.listParameters,
                                             responses: [response("200", meta("Status"))], suffix: "Collection")
        }
        collection["parameters"] = .array(scopeParameters + [Self.pretty])
        out.append((base, .object(collection)))

        var object = objectOperations(name: schemaName, kind: kind, what: "the specified \(resource.kind)", suffix: "", delete: true)
        object["parameters"] = .array([nameParameter] + scopeParameters + [Self.pretty])
        out.append((base + "/{name}", .object(object)))

        if resource.namespaced {
            var all = JSONObject()
            all["get"] = operation("list", action: "list", "list or watch objects of kind \(resource.kind)", kind: kind,
                                   parameters: Self.listParameters, responses: [response("200", listName)], suffix: "ForAllNamespaces")
            all["parameters"] = .array([Self.pretty])
            out.append(("\(prefix)/\(resource.plural)", .object(all)))
        }

        for sub in resource.subresources {
            let subPath = "\(base)/{name}/\(sub.name)"
            var item: JSONObject
            switch sub.name {
            case "status":
                item = objectOperations(name: schemaName, kind: kind, what: "status of the specified \(resource.kind)", suffix: "Status", delete: false)
            case "scale":
                let scaleName = ClusterSchemas.scale.objectSchema?.name ?? "Scale"
                item = objectOperations(name: scaleName, kind: sub.kind, what: "scale of the specified \(resource.kind)", suffix: "", delete: false)
                // Operation ids name the parent kind: readAppsV1NamespacedDeploymentScale.
                for verb in ["get", "put", "patch"] {
                    if var op = item[verb] {
                        let id = op["operationId"]?.stringValue ?? ""
                        op["operationId"] = .string(id.replacingLastOccurrence(of: "Scale", with: resource.kind + "Scale"))
                        item[verb] = op
                    }
                }
            case "eviction", "binding":
                guard let schema = ResourceRegistry.schema(for: sub.kind), let name = schema.objectSchema?.name else { continue }
                item = JSONObject()
                item["post"] = operation("create", action: "post", "create \(sub.name) of a \(resource.kind)", kind: sub.kind,
                                         parameters: [Self.dryRun, Self.fieldManager, Self.fieldValidation], requestBody: body(name),
                                         responses: [response("200", name), response("201", name), response("202", name)],
                                         suffix: "")
            case "log":
                item = JSONObject()
                var op = operation("read", action: "get", "read log of the specified Pod", kind: sub.kind, parameters: [
                    Self.queryParameter("container", "string", "The container for which to stream logs."),
                    Self.queryParameter("follow", "boolean", "Follow the log stream of the pod."),
                    Self.queryParameter("previous", "boolean", "Return previous terminated container logs."),
                    Self.queryParameter("sinceSeconds", "integer", "A relative time in seconds before the current time."),
                    Self.queryParameter("tailLines", "integer", "The number of lines from the end of the logs to show."),
                    Self.queryParameter("timestamps", "boolean", "Add an RFC3339 timestamp at the beginning of every line."),
                ], responses: [("200", ["description": "OK", "content": ["text/plain": ["schema": ["type": "string"]]]])], suffix: "Log")
                op["operationId"] = .string("read\(operationGroup)NamespacedPodLog")
                item["get"] = op
            default:
                continue
            }
            item["parameters"] = .array([nameParameter] + scopeParameters + [Self.pretty])
            out.append((subPath, .object(item)))
        }
        return out
    }
}

extension String {
    func replacingLastOccurrence(of target: String, with replacement: String) -> String {
        guard let range = self.range(of: target, options: .backwards) else { return self }
        return self.replacingCharacters(in: range, with: replacement)
    }
}
