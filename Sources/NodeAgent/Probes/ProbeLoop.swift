import Foundation

/// Runs a container's probes as Kubernetes does: the startup probe first (liveness and
/// readiness wait for it), then liveness and readiness side by side, each every
/// `periodSeconds` after `initialDelaySeconds`, with success and failure thresholds.
enum ProbeLoop {
    enum Update: Sendable {
        case started
        case ready(Bool)
        case unhealthy(kind: String, message: String)
        /// The liveness (or startup) probe failed `failureThreshold` times: restart the container.
        case livenessFailed(String)
    }

    static func run(startup: ProbeSpec?, liveness: ProbeSpec?, readiness: ProbeSpec?, target: HandlerTarget,
                    report: @escaping @Sendable (Update) async -> Void) async {
        if let startup {
            try? await Task.sleep(for: startup.initialDelay)
            var failures = 0
            while !Task.isCancelled {
                let outcome = await HandlerRunner.run(startup.handler, target: target, timeout: startup.timeout)
                if outcome.succeeded { break }
                failures += 1
                if case .failure(let message) = outcome { await report(.unhealthy(kind: "Startup", message: message)) }
                if failures >= startup.failureThreshold {
                    await report(.livenessFailed("startup probe failed"))
                    return
                }
                try? await Task.sleep(for: startup.period)
            }
            guard !Task.isCancelled else { return }
        }
        await report(.started)
        await withTaskGroup(of: Void.self) { group in
            if let liveness {
                group.addTask {
                    try? await Task.sleep(for: liveness.initialDelay)
                    var failures = 0
                    while !Task.isCancelled {
                        let outcome = await HandlerRunner.run(liveness.handler, target: target, timeout: liveness.timeout)
                        if case .failure(let message) = outcome {
                            failures += 1
                            await report(.unhealthy(kind: "Liveness", message: message))
                            if failures >= liveness.failureThreshold {
                                await report(.livenessFailed(message))
                                return
                            }
                        } else {
                            failures = 0
                        }
                        try? await Task.sleep(for: liveness.period)
                    }
                }
            }
            if let readiness {
                group.addTask {
                    try? await Task.sleep(for: readiness.initialDelay)
                    var successes = 0, failures = 0
                    var ready: Bool?
                    while !Task.isCancelled {
                        let outcome = await HandlerRunner.run(readiness.handler, target: target, timeout: readiness.timeout)
                        if case .failure(let message) = outcome {
                            failures += 1
                            successes = 0
                            if ready != false { await report(.unhealthy(kind: "Readiness", message: message)) }
                            if failures >= readiness.failureThreshold || ready == nil, ready != false {
                                ready = false
                                await report(.ready(false))
                            }
                        } else {
                            successes += 1
                            failures = 0
                            if successes >= readiness.successThreshold, ready != true {
                                ready = true
                                await report(.ready(true))
                            }
                        }
                        try? await Task.sleep(for: readiness.period)
                    }
                }
            }
        }
    }
}
