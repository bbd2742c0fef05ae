/// The query-string syntax of label selectors (`labelSelector=` on list and watch, `kubectl -l`).
///
/// Terms are separated by commas outside parentheses. A term is `key`, `!key`, `key=value`,
/// `key==value`, `key!=value`, `key in (v1,v2)`, `key notin (v1,v2)`, `key>n` or `key<n`.
/// Every error names the term it is about.
extension LabelSelector {
    public init(parsing text: String) throws {
        var requirements: [Requirement] = []
        for term in try Self.splitTerms(text) {
            requirements.append(try Self.parseTerm(term))
        }
        self.init(requirements: requirements)
    }

    /// Splits on top-level commas; an empty selector is no terms (everything).
    static func splitTerms(_ text: String) throws -> [Substring] {
        let trimmed = text.selectorTrimmed()
        if trimmed.isEmpty { return [] }
        var terms: [Substring] = []
        var depth = 0
        var start = trimmed.startIndex
        var index = trimmed.startIndex
        while index < trimmed.endIndex {
            let character = trimmed[index]
            if character == "(" {
                depth += 1
                if depth > 1 { throw SelectorError("unable to parse requirement: nested parentheses in \"\(trimmed)\"") }
            } else if character == ")" {
                depth -= 1
                if depth < 0 { throw SelectorError("unable to parse requirement: unbalanced ')' in \"\(trimmed)\"") }
            } else if character == ",", depth == 0 {
                terms.append(trimmed[start..<index])
                start = trimmed.index(after: index)
            }
            index = trimmed.index(after: index)
        }
        if depth != 0 { throw SelectorError("unable to parse requirement: missing ')' in \"\(trimmed)\"") }
        terms.append(trimmed[start...])
        for term in terms where term.selectorTrimmed().isEmpty {
            throw SelectorError("unable to parse requirement: empty term in label selector \"\(trimmed)\"")
        }
        return terms.map { $0.selectorTrimmed() }
    }

    static func parseTerm(_ term: Substring) throws -> Requirement {
        let quoted = "\"\(term)\""
        if term.hasPrefix("!") {
            let key = term.dropFirst().selectorTrimmed()
            try LabelSyntax.validateKey(String(key), term: quoted)
            return Requirement(key: String(key), op: .doesNotExist, values: [])
        }
        // The key runs up to the first operator character or space.
        let keyEnd = term.firstIndex { $0 == "=" || $0 == "!" || $0 == "<" || $0 == ">" || $0 == " " || $0 == "\t" || $0 == "(" } ?? term.endIndex
        let key = String(term[..<keyEnd])
        try LabelSyntax.validateKey(key, term: quoted)
        let rest = term[keyEnd...].selectorTrimmed()
        if rest.isEmpty { return Requirement(key: key, op: .exists, values: []) }

        func single(_ op: Requirement.Operator, dropping count: Int) throws -> Requirement {
            let value = String(rest.dropFirst(count).selectorTrimmed())
            if op == .greaterThan || op == .lessThan {
                guard Int64(value) != nil else {
                    throw SelectorError("unable to parse requirement: \(quoted): for '\(op == .greaterThan ? ">" : "<")' the value must be an integer, got \"\(value)\"")
                }
            } else {
                try LabelSyntax.validateValue(value, term: quoted)
            }
            return Requirement(key: key, op: op, values: [value])
        }
        if rest.hasPrefix("==") { return try single(.equals, dropping: 2) }
        if rest.hasPrefix("!=") { return try single(.notEquals, dropping: 2) }
        if rest.hasPrefix("=") { return try single(.equals, dropping: 1) }
        if rest.hasPrefix(">") { return try single(.greaterThan, dropping: 1) }
        if rest.hasPrefix("<") { return try single(.lessThan, dropping: 1) }

        let op: Requirement.Operator
        let afterKeyword: Substring
        if let tail = Self.keyword("notin", in: rest) {
            op = .notIn
            afterKeyword = tail
        } else if let tail = Self.keyword("in", in: rest) {
            op = .in
            afterKeyword = tail
        } else {
            throw SelectorError(
                "unable to parse requirement: \(quoted): expected an operator (=, ==, !=, in, notin) after \"\(key)\", found \"\(rest)\"")
        }
        let list = afterKeyword.selectorTrimmed()
        guard list.hasPrefix("("), list.hasSuffix(")"), list.count >= 2 else {
            throw SelectorError("unable to parse requirement: \(quoted): '\(op.rawValue)' needs a parenthesised list of values, e.g. \(key) \(op.rawValue) (a,b)")
        }
        let inner = list.dropFirst().dropLast()
        var values: [String] = []
        if !inner.selectorTrimmed().isEmpty {
            for part in inner.split(separator: ",", omittingEmptySubsequences: false) {
                let value = String(part.selectorTrimmed())
                try LabelSyntax.validateValue(value, term: quoted)
                values.append(value)
            }
        }
        if values.isEmpty {
            throw SelectorError("unable to parse requirement: \(quoted): for 'in' and 'notin' the set of values must not be empty")
        }
        return Requirement(key: key, op: op, values: values)
    }

    /// The text after `word` when `rest` starts with it followed by a space or `(`.
    private static func keyword(_ word: String, in rest: Substring) -> Substring? {
        guard rest.hasPrefix(word) else { return nil }
        let tail = rest.dropFirst(word.count)
        guard let next = tail.first, next == " " || next == "\t" || next == "(" else { return nil }
        return tail
    }
}

/// Label key and value syntax (Kubernetes' qualified names and label values).
enum LabelSyntax {
    static func validateKey(_ key: String, term: String) throws {
        if key.isEmpty { throw SelectorError("unable to parse requirement: \(term): the label key must not be empty") }
        var name = Substring(key)
        if let slash = key.firstIndex(of: "/") {
            let prefix = key[..<slash]
            name = key[key.index(after: slash)...]
            if prefix.isEmpty || prefix.utf8.count > 253 || !isDNSSubdomain(prefix) {
                throw SelectorError(
                    "unable to parse requirement: \(term): invalid label key \"\(key)\": the prefix must be a DNS subdomain (lowercase alphanumerics, '-' and '.', at most 253 characters)")
            }
        }
        if name.isEmpty || name.utf8.count > 63 || !isLabelToken(name) {
            throw SelectorError(
                "unable to parse requirement: \(term): invalid label key \"\(key)\": name part must be at most 63 characters of alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric")
        }
    }

    static func validateValue(_ value: String, term: String) throws {
        if value.isEmpty { return }
        if value.utf8.count > 63 || !isLabelToken(Substring(value)) {
            throw SelectorError(
                "unable to parse requirement: \(term): invalid label value \"\(value)\": must be at most 63 characters of alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric")
        }
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a)
    }

    private static func isLabelToken(_ text: Substring) -> Bool {
        let bytes = Array(text.utf8)
        guard let first = bytes.first, let last = bytes.last, isAlphanumeric(first), isAlphanumeric(last) else { return false }
        return bytes.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") }
    }

    private static func isDNSSubdomain(_ text: Substring) -> Bool {
        for label in text.split(separator: ".", omittingEmptySubsequences: false) {
            let bytes = Array(label.utf8)
            guard let first = bytes.first, let last = bytes.last else { return false }
            let lowerAlnum: (UInt8) -> Bool = { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x7a) }
            guard lowerAlnum(first), lowerAlnum(last), bytes.allSatisfy({ lowerAlnum($0) || $0 == UInt8(ascii: "-") }) else {
                return false
            }
        }
        return true
    }
}

extension StringProtocol {
    /// Drops leading and trailing spaces and tabs (no Foundation needed).
    func selectorTrimmed() -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        let sub = self[...]
        guard let start = sub.firstIndex(where: { !isSpace($0) }), let end = sub.lastIndex(where: { !isSpace($0) }) else {
            return Substring("")
        }
        return Substring(sub[start...end])
    }
}
