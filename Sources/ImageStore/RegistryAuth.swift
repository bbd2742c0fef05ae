/// A parsed `WWW-Authenticate` challenge: `Bearer realm="…",service="…",scope="…"`.
struct AuthChallenge: Equatable, Sendable {
    var scheme: String
    var parameters: [String: String]

    /// Parses one challenge (registries send one). Values may be quoted (with `\` escapes)
    /// or bare tokens; parameter names are case-insensitive.
    init?(_ header: String) {
        let trimmed = header.drop { $0 == " " }
        guard let sp = trimmed.firstIndex(of: " ") else {
            guard !trimmed.isEmpty else { return nil }
            scheme = trimmed.lowercased()
            parameters = [:]
            return
        }
        scheme = trimmed[..<sp].lowercased()
        parameters = [:]
        var s = Substring(trimmed[trimmed.index(after: sp)...])
        while true {
            s = s.drop { $0 == " " || $0 == "," }
            guard let eq = s.firstIndex(of: "=") else { break }
            let key = s[..<eq].trimmingCharacters(in: " ").lowercased()
            s = s[s.index(after: eq)...]
            var value = ""
            if s.first == "\"" {
                s = s.dropFirst()
                var escaped = false
                var end = s.endIndex
                for i in s.indices {
                    let c = s[i]
                    if escaped { value.append(c); escaped = false; continue }
                    if c == "\\" { escaped = true; continue }
                    if c == "\"" { end = i; break }
                    value.append(c)
                }
                s = end < s.endIndex ? s[s.index(after: end)...] : s[s.endIndex...]
            } else {
                let end = s.firstIndex(of: ",") ?? s.endIndex
                value = s[..<end].trimmingCharacters(in: " ")
                s = s[end...]
            }
            parameters[key] = value
        }
    }
}

private extension Substring {
    func trimmingCharacters(in set: Character) -> String {
        String(self.drop { $0 == set }.reversed().drop { $0 == set }.reversed())
    }
}

/// The token endpoint's answer (distribution "token authentication specification").
struct TokenResponse: Decodable {
    var token: String?
    var access_token: String?
    var bearer: String? { token ?? access_token }
}

/// Bearer tokens by registry and scope, shared by the concurrent requests of a pull.
actor TokenCache {
    private var tokens: [String: String] = [:]
    func get(_ key: String) -> String? { tokens[key] }
    func set(_ key: String, _ token: String) { tokens[key] = token }
}
