import Testing

@testable import APIModel

@Suite("YAML manifests")
struct YAMLTests {
    @Test func multiDocumentManifestSplitsAndSkipsEmptyDocuments() throws {
        let yaml = """
            ---
            apiVersion: v1
            kind: Namespace
            metadata:
              name: demo
            ---
            # only a comment
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: web
              namespace: demo
            spec:
              replicas: 2
              template:
                spec:
                  containers:
                  - name: c
                    image: nginx:1.27
            """
        let docs = try JSONValue.parseYAMLDocuments(yaml)
        #expect(docs.count == 2)
        #expect(docs[0]["kind"] == "Namespace")
        #expect(docs[1]["spec"]?["replicas"] == .int(2))
        #expect(docs[1]["spec"]?["template"]?["spec"]?["containers"]?[0]?["image"] == "nginx:1.27")
        #expect(docs[1]["metadata"]?.objectValue?.keys == ["name", "namespace"])
    }

    @Test func scalarsAreTypedAsKubectlTypesThem() throws {
        let value = try JSONValue.parseYAML("""
            int: 42
            neg: -7
            float: 1.5
            yes: yes
            quoted: "123"
            single: 'true'
            null1: null
            null2: ~
            empty:
            date: 2024-01-02
            version: 1.10
            str: hello world
            """)
        #expect(value["int"] == .int(42))
        #expect(value["neg"] == .int(-7))
        #expect(value["float"] == .double(1.5))
        #expect(value["yes"] == .bool(true))
        #expect(value["quoted"] == .string("123"))
        #expect(value["single"] == .string("true"))
        #expect(value["null1"] == .null)
        #expect(value["null2"] == .null)
        #expect(value["empty"] == .null)
        #expect(value["date"] == .string("2024-01-02"))
        #expect(value["version"] == .double(1.1))
        #expect(value["str"] == .string("hello world"))
    }

    @Test func errorsNameTheLine() throws {
        let yaml = """
            apiVersion: v1
            kind: Pod
            metadata:
              name: [unclosed
            """
        do {
            _ = try JSONValue.parseYAMLDocuments(yaml)
            Issue.record("expected a YAML error")
        } catch let error as YAMLDecodingError {
            #expect(error.line != nil)
            #expect(error.description.hasPrefix("yaml: line"))
        }
    }

    @Test func jsonIsValidYAML() throws {
        let value = try JSONValue.parseYAML(#"{"a":[1,"x",{"b":null}],"c":true}"#)
        #expect(value == ["a": [1, "x", ["b": nil]], "c": true])
    }
}
