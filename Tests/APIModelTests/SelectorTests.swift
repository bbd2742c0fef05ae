import APIModel
import Testing

@Suite struct SelectorTests {
    let labels = ["app": "web", "tier": "frontend", "env": "prod", "replicas": "3"]

    @Test func equalityForms() throws {
        #expect(try LabelSelector(parsing: "app=web").matches(labels))
        #expect(try LabelSelector(parsing: "app==web").matches(labels))
        #expect(try !LabelSelector(parsing: "app=db").matches(labels))
        #expect(try LabelSelector(parsing: "app!=db").matches(labels))
        #expect(try !LabelSelector(parsing: "app!=web").matches(labels))
        // != matches objects without the label, as in Kubernetes.
        #expect(try LabelSelector(parsing: "missing!=x").matches(labels))
    }

    @Test func setForms() throws {
        #expect(try LabelSelector(parsing: "env in (prod, staging)").matches(labels))
        #expect(try !LabelSelector(parsing: "env in (dev,staging)").matches(labels))
        #expect(try LabelSelector(parsing: "env notin (dev,staging)").matches(labels))
        #expect(try LabelSelector(parsing: "missing notin (a)").matches(labels))
        #expect(try !LabelSelector(parsing: "missing in (a)").matches(labels))
        #expect(try LabelSelector(parsing: "app").matches(labels))
        #expect(try !LabelSelector(parsing: "!app").matches(labels))
        #expect(try LabelSelector(parsing: "!legacy").matches(labels))
        #expect(try LabelSelector(parsing: "replicas>2,replicas<4").matches(labels))
    }

    @Test func conjunctionWithCommasInsideSets() throws {
        let selector = try LabelSelector(parsing: "app=web, env in (prod,staging),!legacy,tier")
        #expect(selector.requirements.count == 4)
        #expect(selector.matches(labels))
        #expect(!selector.matches(["app": "web", "env": "prod"]))
    }

    @Test func emptySelectorIsEverything() throws {
        let selector = try LabelSelector(parsing: "  ")
        #expect(selector.isEverything)
        #expect(selector.matches([:]))
        #expect(LabelSelector.everything.isEverything)
        #expect(!LabelSelector.nothing.matches([:]))
    }

    @Test func errorsNameTheBadTerm() {
        func message(_ text: String) -> String {
            do {
                _ = try LabelSelector(parsing: text)
                return ""
            } catch let error as SelectorError {
                return error.message
            } catch {
                return "\(error)"
            }
        }
        #expect(message("app=web,env in prod").contains("env in prod"))
        #expect(message("app=web,env in ()").contains("must not be empty"))
        #expect(message("app=-bad-").contains("invalid label value"))
        #expect(message("app=web,,tier").contains("empty term"))
        #expect(message("Bad Key=x").contains("Bad Key=x"))
        #expect(message("a=(b").contains("missing ')'"))
        #expect(message("app~web").contains("app~web"))
        #expect(message("replicas>x").contains("integer"))
    }

    @Test func prefixedKeys() throws {
        let selector = try LabelSelector(parsing: "app.kubernetes.io/name=web")
        #expect(selector.matches(["app.kubernetes.io/name": "web"]))
        #expect(throws: SelectorError.self) { try LabelSelector(parsing: "Bad_Prefix/name=web") }
    }

    @Test func metav1LabelSelector() throws {
        let json = try JSONValue(json: """
            {"matchLabels":{"app":"web"},"matchExpressions":[
              {"key":"env","operator":"In","values":["prod","staging"]},
              {"key":"legacy","operator":"DoesNotExist"},
              {"key":"tier","operator":"Exists"},
              {"key":"track","operator":"NotIn","values":["canary"]}]}
            """)
        let selector = try LabelSelector(json: json)
        #expect(selector.requirements.count == 5)
        #expect(selector.matches(labels))
        #expect(!selector.matches(labels.merging(["track": "canary"]) { $1 }))
        #expect(try LabelSelector(json: .emptyObject).isEverything)
        #expect(try !LabelSelector(json: .null).matches(labels))
    }

    @Test func metav1LabelSelectorErrors() throws {
        #expect(throws: SelectorError.self) {
            try LabelSelector(json: try JSONValue(json: #"{"matchExpressions":[{"key":"a","operator":"In"}]}"#))
        }
        #expect(throws: SelectorError.self) {
            try LabelSelector(json: try JSONValue(json: #"{"matchExpressions":[{"key":"a","operator":"Exists","values":["x"]}]}"#))
        }
        do {
            _ = try LabelSelector(json: try JSONValue(json: #"{"matchExpressions":[{"key":"a","operator":"Near","values":["x"]}]}"#))
            Issue.record("an unknown operator must be rejected")
        } catch let error as SelectorError {
            #expect(error.message.contains("Near"))
            #expect(error.message.contains("matchExpressions[0]"))
        }
    }

    @Test func objectLabels() throws {
        let pod = try JSONValue(json: #"{"metadata":{"name":"p","labels":{"app":"web"}}}"#)
        #expect(try LabelSelector(parsing: "app=web").matches(object: pod))
        #expect(try !LabelSelector(parsing: "app=db").matches(object: pod))
    }
}

@Suite struct FieldSelectorTests {
    let pod = try! JSONValue(json: """
        {"kind":"Pod","metadata":{"name":"web-1","namespace":"default"},
         "spec":{"nodeName":"n1","schedulerName":"default-scheduler"},
         "status":{"phase":"Running","podIP":"10.0.0.5"}}
        """)

    var pods: ResourceInfo { ResourceRegistry.resource(group: "", version: "v1", plural: "pods")! }

    @Test func operators() throws {
        #expect(try FieldSelector(parsing: "metadata.name=web-1").matches(pod))
        #expect(try FieldSelector(parsing: "metadata.name==web-1").matches(pod))
        #expect(try !FieldSelector(parsing: "metadata.name!=web-1").matches(pod))
        #expect(try FieldSelector(parsing: "spec.nodeName=n1,status.phase!=Pending").matches(pod))
        #expect(try !FieldSelector(parsing: "spec.nodeName=n2").matches(pod))
        #expect(try FieldSelector(parsing: "status.podIP=10.0.0.5,metadata.namespace=default").matches(pod))
        #expect(try FieldSelector(parsing: "").isEverything)
    }

    @Test func missingFieldsAreEmpty() throws {
        let pending = try JSONValue(json: #"{"metadata":{"name":"p"}}"#)
        #expect(try FieldSelector(parsing: "spec.nodeName=").matches(pending))
        #expect(try FieldSelector(parsing: "spec.nodeName!=n1").matches(pending))
        let node = try JSONValue(json: #"{"metadata":{"name":"n1"}}"#)
        #expect(try FieldSelector(parsing: "spec.unschedulable=false").matches(node))
        let cordoned = try JSONValue(json: #"{"metadata":{"name":"n1"},"spec":{"unschedulable":true}}"#)
        #expect(try FieldSelector(parsing: "spec.unschedulable=true").matches(cordoned))
    }

    @Test func escapedValues() throws {
        let selector = try FieldSelector(parsing: #"metadata.name=a\,b\=c"#)
        #expect(selector.requirements.first?.value == "a,b=c")
        #expect(throws: SelectorError.self) { try FieldSelector(parsing: #"metadata.name=a\qb"#) }
    }

    @Test func supportedFieldsPerKind() throws {
        _ = try FieldSelector(parsing: "spec.nodeName=n1,status.phase=Running", resource: pods)
        do {
            _ = try FieldSelector(parsing: "metadata.name=x,spec.containers=y", resource: pods)
            Issue.record("an unsupported field must be rejected")
        } catch let error as SelectorError {
            #expect(error.message.contains("spec.containers"))
        }
        let configmaps = try #require(ResourceRegistry.resource(group: "", version: "v1", plural: "configmaps"))
        #expect(throws: SelectorError.self) { try FieldSelector(parsing: "spec.nodeName=n1", resource: configmaps) }
        _ = try FieldSelector(parsing: "metadata.namespace=default", resource: configmaps)
        let events = try #require(ResourceRegistry.resource(group: "", version: "v1", plural: "events"))
        _ = try FieldSelector(parsing: "involvedObject.name=web,reason=Started,type=Normal", resource: events)
        let secrets = try #require(ResourceRegistry.resource(group: "", version: "v1", plural: "secrets"))
        _ = try FieldSelector(parsing: "type=kubernetes.io/tls", resource: secrets)
    }

    @Test func malformedTerms() {
        #expect(throws: SelectorError.self) { try FieldSelector(parsing: "metadata.name") }
        #expect(throws: SelectorError.self) { try FieldSelector(parsing: "=x") }
        #expect(throws: SelectorError.self) { try FieldSelector(parsing: "metadata.name=a,,b=c") }
    }

    @Test func requiredName() throws {
        #expect(try FieldSelector(parsing: "metadata.name=web").requiredName == "web")
        #expect(try FieldSelector(parsing: "metadata.name!=web").requiredName == nil)
    }
}
