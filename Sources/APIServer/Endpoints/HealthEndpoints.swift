import Hummingbird

/// One named probe of `/healthz`, `/livez` or `/readyz`: nil when healthy, otherwise why not.
struct HealthCheck: Sendable {
    var name: String
    var check: @Sendable () async -> String?
}

/// `/healthz`, `/livez`, `/readyz` (and `/<endpoint>/<check>`), answered as Kubernetes does:
/// `ok`, or with `?verbose` one `[+]name ok` / `[-]name failed` line per check. A failing
/// check gives 500 with the failing names; reasons go to the log, not to the client.
enum HealthEndpoints {
    static let names: Set<String> = ["healthz", "livez", "readyz"]

    static func respond(endpoint: String, only: String?, query: URLQuery, checks: [HealthCheck]) async -> Response {
        let selected = checks.filter { only == nil || $0.name == only }
        if let only, selected.isEmpty {
            return JSONResponses.text(404, "404 page not found: no health check named \(only)\n")
        }
        let excluded = Set(query.values["exclude"] ?? [])
        var lines: [String] = []
        var failed: [String] = []
        for check in selected {
            if excluded.contains(check.name) {
                lines.append("[+]\(check.name) excluded: ok")
                continue
            }
            if await check.check() != nil {
                lines.append("[-]\(check.name) failed: reason withheld")
                failed.append(check.name)
            } else {
                lines.append("[+]\(check.name) ok")
            }
        }
        let verbose = query.values["verbose"] != nil
        if failed.isEmpty {
            let text = verbose ? lines.joined(separator: "\n") + "\n\(endpoint) check passed\n" : "ok"
            return JSONResponses.text(200, text)
        }
        return JSONResponses.text(500, lines.joined(separator: "\n") + "\n\(endpoint) check failed\n")
    }
}
