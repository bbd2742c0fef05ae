import Foundation
import Testing
@testable import ContainerRuntime
import LinuxSystem
import OCI

/// Capabilities, seccomp and no_new_privs as the spec asks.
@Suite("Runtime security", .serialized, .enabled(if: isRoot, "\(rootOnly)"))
struct RuntimeSecurityTests {
    @Test("CapEff of the process equals the spec's capability set")
    func effectiveCapabilities() throws {
        let sandbox = try RuntimeSandbox()
        defer { sandbox.finish() }
        let caps = DefaultCapabilities.docker
        let bundle = try sandbox.bundle(["sh", "-c", "grep -E '^Cap(Eff|Bnd|Prm)' /proc/self/status"]) { spec in
            spec.process?.capabilities = .uniform(caps)
        }
        let result = try sandbox.run("caps", bundle: bundle)
        let expected = try CapabilityMask.mask(caps, field: "test")
        var values: [String: UInt64] = [:]
        for line in result.stdout.split(separator: "\n") {
            let parts = line.split(separator: "\t")
            if parts.count == 2, let value = UInt64(parts[1], radix: 16) { values[String(parts[0].dropLast())] = value }
        }
        #expect(values["CapEff"] == expected, "\(result.stdout) \(result.stderr)")
        #expect(values["CapBnd"] == expected)
        #expect(values["CapPrm"] == expected)
    }

    @Test("mount fails without CAP_SYS_ADMIN while chown works with CAP_CHOWN")
    func capabilitiesAreEnforced() throws {
        let sandbox = try RuntimeSandbox()
        defer { sandbox.finish() }
        let script = """
            touch /tmp/f && chown 1234:1234 /tmp/f && stat -c chown=%u:%g /tmp/f
            if mount -t tmpfs none /mnt 2>/dev/null; then echo mount=ok; else echo mount=denied; fi
            """
        let bundle = try sandbox.bundle(["sh", "-c", script]) { spec in
            spec.process?.capabilities = .uniform(["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER"])
        }
        let result = try sandbox.run("chown", bundle: bundle)
        #expect(result.stdout == "chown=1234:1234\nmount=denied\n", "stderr: \(result.stderr)")
    }

    @Test("Docker's default seccomp profile denies unshare, mount, keyctl and ptrace with EPERM")
    func seccompDefaultProfile() throws {
        let sandbox = try RuntimeSandbox()
        defer { sandbox.finish() }
        // The process keeps every capability, so only seccomp can be the one saying no.
        let all = DefaultCapabilities.all.filter { CapabilityMask.isKnown($0) && Self.heldByUs($0) }
        let bundle = try sandbox.bundle(["/bin/probe"], helper: true) { spec in
            spec.process?.capabilities = .uniform(all)
            spec.linux?.seccomp = DefaultSeccompProfile.docker(capabilities: DefaultCapabilities.docker)
        }
        let result = try sandbox.run("seccomp", bundle: bundle)
        #expect(result.stdout == "unshare 1\nmount 1\nkeyctl 1\nptrace 1\n", "stderr: \(result.stderr)")

        // The same probe without the filter: the calls get through (0, or an errno other than EPERM).
        let open = try sandbox.bundle(["/bin/probe"], helper: true) { spec in
            spec.process?.capabilities = .uniform(all)
        }
        let unfiltered = try sandbox.run("noseccomp", bundle: open)
        #expect(unfiltered.stdout.contains("unshare 0\nmount 0\n"), "\(unfiltered.stdout)")
    }

    /// Whether this test process has the capability in its bounding set (CI sandboxes may lack some).
    static func heldByUs(_ name: String) -> Bool {
        guard let status = try? Files.readString("/proc/self/status"),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("CapBnd:") }),
              let mask = UInt64(line.dropFirst(7).trimmingCharacters(in: .whitespaces), radix: 16),
              let bit = try? CapabilityMask.mask([name], field: "test") else { return false }
        return mask & bit != 0
    }

    @Test("no_new_privs is set when the spec asks for it")
    func noNewPrivileges() throws {
        let sandbox = try RuntimeSandbox()
        defer { sandbox.finish() }
        let on = try sandbox.run("nnp-on", bundle: try sandbox.bundle(["grep", "NoNewPrivs", "/proc/self/status"]))
        #expect(on.stdout == "NoNewPrivs:\t1\n")
        let off = try sandbox.run("nnp-off", bundle: try sandbox.bundle(["grep", "NoNewPrivs", "/proc/self/status"]) { spec in
            spec.process?.noNewPrivileges = false
        })
        #expect(off.stdout == "NoNewPrivs:\t0\n")
    }

    @Test("user, groups, umask, rlimits, oom score and sysctls are applied")
    func processSettings() throws {
        let sandbox = try RuntimeSandbox()
        defer { sandbox.finish() }
        let script = "id -u; id -g; id -G; umask; ulimit -n; cat /proc/self/oom_score_adj; cat /proc/sys/net/ipv4/ip_forward"
        let bundle = try sandbox.bundle(["sh", "-c", script]) { spec in
            spec.process?.user = .init(uid: 1000, gid: 1001, umask: 0o027, additionalGids: [1001, 2000])
            spec.process?.rlimits = [.init(type: "RLIMIT_NOFILE", hard: 256, soft: 200)]
            spec.process?.oomScoreAdj = 123
            spec.linux?.sysctl = ["net.ipv4.ip_forward": "1"]
        }
        let result = try sandbox.run("user", bundle: bundle)
        #expect(result.stdout == "1000\n1001\n1001 2000\n0027\n200\n123\n1\n", "stderr: \(result.stderr)")
    }
}
