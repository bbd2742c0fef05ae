import APIModel

/// `pods/binding` (the scheduler's write) and `pods/eviction` (drain's polite delete).
extension RESTHandler {
    static let bindingKind = GroupVersionKind(group: "", version: "v1", kind: "Binding")
    static let evictionKind = GroupVersionKind(group: "policy", version: "v1", kind: "Eviction")

    /// POST `pods/<name>/binding`: sets `spec.nodeName` and the PodScheduled condition. A pod
    /// already bound (or being deleted) → 409. Answers 201 with a Success Status.
    func bind(_ request: RESTRequest) async throws -> RESTResponse {
        let options = try WriteOptions(request, now: now())
        let decoded = try decodeBody(request, expectedKind: Self.bindingKind, fieldValidation: options.fieldValidation)
        let binding = decoded.object
        let name = request.name ?? ""
        let resource = request.resource
        let bindingName = binding.metaString("name") ?? ""
        if !bindingName.isEmpty && bindingName != name {
            throw APIError.badRequest("the name of the object (\(bindingName)) does not match the name on the URL (\(name))")
        }
        let node = binding["target"]?["name"]?.stringValue ?? ""
        if node.isEmpty {
            throw APIError.invalid(qualifiedKind: "Binding", group: "", kind: "Binding", name: name,
                                   errors: [.required(FieldPath("target.name"))])
        }
        if let kind = binding["target"]?["kind"]?.stringValue, !kind.isEmpty, kind != "Node" {
            throw APIError.invalid(qualifiedKind: "Binding", group: "", kind: "Binding", name: name,
                                   errors: [.notSupported(FieldPath("target.kind"), .string(kind), ["Node"])])
        }
        let expectedUID = binding.metaString("uid")
        _ = try await storageCall {
            try await storage.update(resource, namespace: request.namespace, name: name, dryRun: options.dryRun, allowCreate: false) { current in
                guard let current else { throw APIError.notFound(resource, name: name) }
                let pod = current.object
                if let expectedUID, !expectedUID.isEmpty, expectedUID != pod.metaString("uid") {
                    throw APIError.conflict(resource, name: name, detail: "Precondition failed: UID in precondition: \(expectedUID), UID in object meta: \(pod.metaString("uid") ?? "")")
                }
                if pod.isBeingDeleted {
                    throw APIError.conflict(resource, name: name, detail: "pod \(name) is being deleted, cannot be assigned to a host")
                }
                if let bound = pod["spec"]?["nodeName"]?.stringValue, !bound.isEmpty {
                    throw APIError.conflict(resource, name: name, detail: "pod \(name) is already assigned to node \"\(bound)\"")
                }
                var updated = pod
                updated.modify("spec") { spec in
                    var s = spec ?? .emptyObject
                    s["nodeName"] = .string(node)
                    spec = s
                }
                updated.modify("status") { status in
                    var s = status ?? .emptyObject
                    var conditions = (s["conditions"]?.arrayValue ?? []).filter { $0["type"]?.stringValue != "PodScheduled" }
                    conditions.append(["type": "PodScheduled", "status": "True", "lastProbeTime": nil,
                                       "lastTransitionTime": .string(options.time)])
                    s["conditions"] = .array(conditions)
                    status = s
                }
                updated.setMeta("resourceVersion", nil)
                return try self.finishBinding(old: current, new: updated, resource: resource, options: options)
            }
        }
        return RESTResponse(code: 201, payload: .object(Self.successStatus(code: 201)), warnings: decoded.warnings)
    }

    /// Binding writes spec and status together (which neither PUT scope allows): validate as
    /// an update and record the write against the `binding` subresource.
    private func finishBinding(old: StoredObject, new: JSONValue, resource: ResourceInfo, options: WriteOptions) throws -> JSONValue {
        var object = new
        object.setMeta("resourceVersion", old.object.meta("resourceVersion"))
        return ManagedFields.recordUpdate(old: old.object, new: object, manager: options.fieldManager, subresource: "binding",
                                          apiVersion: resource.gvk.apiVersion, time: options.time, schema: resource.schema)
    }

    /// POST `pods/<name>/eviction`: deletes the pod with the Eviction's deleteOptions, after
    /// asking the disruption-budget seam. Answers 201 with a Success Status.
    func evict(_ request: RESTRequest) async throws -> RESTResponse {
        let fieldValidation = try WriteOptions(request, now: now()).fieldValidation
        let decoded = try decodeBody(request, expectedKind: Self.evictionKind, fieldValidation: fieldValidation)
        let eviction = decoded.object
        let name = request.name ?? ""
        let evictionName = eviction.metaString("name") ?? ""
        if !evictionName.isEmpty && evictionName != name {
            throw APIError.badRequest("name in URL does not match name in Eviction object")
        }
        var options = try DeleteRequestOptions(body: eviction["deleteOptions"] ?? .emptyObject, query: [:])
        if try WriteOptions.parseDryRun(request.query["dryRun"] ?? []) { options.dryRun = true }
        let pod = try await storageCall { try await storage.get(request.resource, namespace: request.namespace, name: name) }
        try await checkDisruptionBudgets(pod: pod.object, namespace: request.namespace ?? "", dryRun: options.dryRun)
        _ = try await deleteObject(request.resource, namespace: request.namespace, name: name, options: options)
        return RESTResponse(code: 201, payload: .object(Self.successStatus(code: 201)), warnings: decoded.warnings)
    }

    static let disruptionBudgetResource = ResourceRegistry.resource(group: "policy", version: "v1", plural: "poddisruptionbudgets")

    /// PodDisruptionBudgets (as the disruption controller keeps their status): an eviction
    /// that would leave a budget short answers 429 TooManyRequests (which drain retries),
    /// naming the budget; an allowed one takes one of the budget's `disruptionsAllowed` and
    /// records the pod in `disruptedPods` — a compare-and-swap on the budget, so two
    /// evictions racing for the last allowed disruption cannot both win. Pods that are
    /// finished, pending or already being deleted are not protected; neither is a pod that is
    /// not ready while the budget is otherwise met (Kubernetes' IfHealthyBudget).
    func checkDisruptionBudgets(pod: JSONValue, namespace: String, dryRun: Bool) async throws {
        let phase = pod["status"]?["phase"]?.stringValue ?? ""
        if pod.isBeingDeleted || ["Succeeded", "Failed", "Pending"].contains(phase) { return }
        guard let budgets = Self.disruptionBudgetResource else { return }
        let labels = LabelSelector.labels(of: pod)
        let all = try await storageCall { try await storage.list(budgets, namespace: namespace, options: ListOptions()) }
        let matching = all.items.map(\.object).filter { budget in
            guard let selector = try? LabelSelector(json: budget["spec"]?["selector"] ?? .null) else { return false }
            return selector.matches(labels)
        }
        guard let budget = matching.first else { return }
        if matching.count > 1 {
            throw APIError.internalError("This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.")
        }
        let podName = pod.metaString("name") ?? ""
        let podReady = (pod["status"]?["conditions"]?.arrayValue ?? [])
            .contains { $0["type"]?.stringValue == "Ready" && $0["status"]?.stringValue == "True" }
        let budgetName = budget.metaString("name") ?? ""
        let time = Timestamps.format(now())
        _ = try await storageCall {
            try await storage.update(budgets, namespace: namespace, name: budgetName, dryRun: dryRun, allowCreate: false) { current in
                guard let current else { throw APIError.notFound(budgets, name: budgetName) }
                var updated = current.object
                try Self.consumeDisruption(&updated, podName: podName, podReady: podReady, time: time)
                return updated
            }
        }
    }

    /// Takes one disruption from `budget` for `podName`, or throws the 429 Kubernetes answers.
    static func consumeDisruption(_ budget: inout JSONValue, podName: String, podReady: Bool, time: String) throws {
        let name = budget.metaString("name") ?? ""
        let status = budget["status"] ?? .emptyObject
        let refused = "Cannot evict pod as it would violate the pod's disruption budget."
        let observed = status["observedGeneration"]?.intValue ?? 0
        if observed < (budget.meta("generation")?.intValue ?? 0) {
            throw APIError.tooManyRequests(refused, causes: [[
                "reason": "DisruptionBudget", "message": .string("The disruption budget \(name) is still being processed by the server."),
            ]])
        }
        let allowed = status["disruptionsAllowed"]?.intValue ?? 0
        let healthy = status["currentHealthy"]?.intValue ?? 0
        let desired = status["desiredHealthy"]?.intValue ?? 0
        if !podReady && healthy >= desired && desired > 0 { return }
        if allowed < 0 {
            throw APIError.status(code: 403, reason: "Forbidden", message: "pdb disruptions allowed is negative")
        }
        if allowed == 0 {
            throw APIError.tooManyRequests(refused, causes: [[
                "reason": "DisruptionBudget",
                "message": .string("The disruption budget \(name) needs \(desired) healthy pods and has \(healthy) currently"),
            ]])
        }
        budget.modify("status") { value in
            var s = value ?? .emptyObject
            s["disruptionsAllowed"] = .int(allowed - 1)
            var disrupted = s["disruptedPods"] ?? .emptyObject
            disrupted[podName] = .string(time)
            s["disruptedPods"] = disrupted
            value = s
        }
    }
}
