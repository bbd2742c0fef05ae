import Foundation
import Yams

/// A YAML document that could not be turned into JSON, named with its position.
public struct YAMLDecodingError: Error, Sendable, CustomStringConvertible {
    /// 0-based index of the document in a multi-document stream.
    public var documentIndex: Int
    /// 1-based line, when the YAML library reports one.
    public var line: Int?
    public var message: String

    public var description: String {
        if let line { return "yaml: line \(line): \(message)" }
        return "yaml: \(message)"
    }
}

extension JSONValue {
    /// Decodes a YAML stream (documents separated by `---`) into JSON values, the way kubectl
    /// reads manifests: empty documents are skipped, mapping order is kept, scalars are typed by
    /// the YAML 1.1 core rules (so `yes` is a boolean and `"1"` a string). Timestamps stay strings.
    public static func parseYAMLDocuments(_ text: String) throws -> [JSONValue] {
        var documents: [JSONValue] = []
        var index = 0
        do {
            // The sequence stops at a syntax error and keeps it in `error` rather than throwing.
            var sequence = try Yams.compose_all(yaml: text)
            while let node = sequence.next() {
                let value = try convert(node, document: index)
                index += 1
                if !value.isNull { documents.append(value) }
            }
            if let error = sequence.error { throw error }
        } catch let error as YAMLDecodingError {
            throw error
        } catch let error as YamlError {
            throw YAMLDecodingError(documentIndex: index, line: Self.line(of: error), message: Self.problem(of: error))
        }
        return documents
    }

    /// Decodes a single YAML document (the first non-empty one; more than one is an error).
    public static func parseYAML(_ text: String) throws -> JSONValue {
        let documents = try parseYAMLDocuments(text)
        guard documents.count <= 1 else {
            throw YAMLDecodingError(documentIndex: 1, line: nil, message: "expected a single document, found \(documents.count)")
        }
        return documents.first ?? .null
    }

    private static func convert(_ node: Node, document: Int) throws -> JSONValue {
        switch node {
        case .scalar(let scalar):
            switch Tag.Name(rawValue: node.tag.rawValue) {
            case .null: return .null
            case .bool:
                if let b = node.bool { return .bool(b) }
            case .int:
                if let i = node.int { return .int(Int64(i)) }
                if let d = node.float, d.isFinite { return .double(d) }
            case .float:
                if let d = node.float {
                    guard d.isFinite else {
                        throw YAMLDecodingError(documentIndex: document, line: scalar.mark.map { $0.line },
                                                message: "value \(scalar.string) cannot be represented in JSON")
                    }
                    return .double(d)
                }
            default: break
            }
            return .string(scalar.string)
        case .sequence(let sequence):
            return .array(try sequence.map { try convert($0, document: document) })
        case .mapping(let mapping):
            var object = JSONObject()
            for (key, value) in mapping {
                let name: String
                switch key {
                case .scalar(let s): name = s.string
                default:
                    throw YAMLDecodingError(documentIndex: document, line: key.mark.map { $0.line },
                                            message: "mapping keys must be scalars to convert to JSON")
                }
                object[name] = try convert(value, document: document)
            }
            return .object(object)
        case .alias:
            throw YAMLDecodingError(documentIndex: document, line: node.mark.map { $0.line },
                                    message: "unresolved alias")
        }
    }

    private static func line(of error: YamlError) -> Int? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
            return mark.line
        default:
            return nil
        }
    }

    private static func problem(of error: YamlError) -> String {
        switch error {
        case .scanner(let context, let problem, _, _), .parser(let context, let problem, _, _),
            .composer(let context, let problem, _, _):
            if let context { return "\(problem) (\(context.text))" }
            return problem
        default:
            return String(describing: error)
        }
    }
}
