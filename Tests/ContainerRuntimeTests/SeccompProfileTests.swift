import Foundation
import OCI
import Testing
@testable import ContainerRuntime

@Suite struct SeccompProfileTests {
    /// Names a rule allows without conditions on arguments.
    func unconditionallyAllowed(_ profile: RuntimeSpec.Seccomp) -> Set<String> {
        Set((profile.syscalls ?? []).filter { $0.action == "SCMP_ACT_ALLOW" && ($0.args ?? []).isEmpty }.flatMap(\.names))
    }

    func allowedInAnyWay(_ profile: RuntimeSpec.Seccomp) -> Set<String> {
        Set((profile.syscalls ?? []).filter { $0.action == "SCMP_ACT_ALLOW" }.flatMap(\.names))
    }

    static let dangerous = [
        "unshare", "mount", "keyctl", "ptrace", "add_key", "request_key", "bpf", "kexec_load",
        "open_by_handle_at", "init_module", "reboot", "swapon", "pivot_root", "setns", "umount2",
        "userfaultfd", "clone3", "perf_event_open", "settimeofday", "syslog", "process_vm_readv",
    ]

    @Test func deniesByDefaultWithEPERMForEveryCompatArchitecture() {
        let profile = DefaultSeccompProfile.docker(capabilities: DefaultCapabilities.docker, architecture: .x86_64)
        #expect(profile.defaultAction == "SCMP_ACT_ERRNO")
        #expect(profile.defaultErrnoRet == 1)
        #expect(profile.architectures == ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"])
        let arm = DefaultSeccompProfile.docker(capabilities: [], architecture: .aarch64)
        #expect(arm.architectures == ["SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"])
        #expect(allowedInAnyWay(arm).contains("set_tls"))
        #expect(!allowedInAnyWay(arm).contains("arch_prctl"))
        #expect(allowedInAnyWay(profile).contains("arch_prctl"))
    }

    @Test func dangerousCallsAreNotAllowedWithDefaultCapabilities() {
        let profile = DefaultSeccompProfile.docker(capabilities: DefaultCapabilities.docker)
        let allowed = allowedInAnyWay(profile)
        for name in Self.dangerous {
            #expect(!allowed.contains(name), "\(name) is allowed by default")
        }
        // Ordinary calls are.
        for name in ["read", "write", "openat", "execve", "futex", "epoll_wait", "chroot", "socket", "clone"] {
            #expect(allowed.contains(name), "\(name) missing")
        }
    }

    @Test func cloneIsAllowedOnlyWithoutNamespaceFlagsAndClone3FallsBack() throws {
        let profile = DefaultSeccompProfile.docker(capabilities: DefaultCapabilities.docker)
        let cloneRules = (profile.syscalls ?? []).filter { $0.names.contains("clone") }
        let rule = try #require(cloneRules.first)
        #expect(cloneRules.count == 1)
        #expect(rule.args == [RuntimeSpec.SeccompArg(index: 0, value: 0x7E02_0000, valueTwo: 0, op: "SCMP_CMP_MASKED_EQ")])
        let clone3 = (profile.syscalls ?? []).filter { $0.names.contains("clone3") }
        #expect(clone3.map(\.action) == ["SCMP_ACT_ERRNO"])
        #expect(clone3.first?.errnoRet == 38)
    }

    @Test func argumentFilteredRules() {
        let rules = DefaultSeccompProfile.docker(capabilities: []).syscalls ?? []
        let personalities = rules.filter { $0.names == ["personality"] }.compactMap { $0.args?.first }
        #expect(Set(personalities.map(\.value)) == [0, 8, 0x20000, 0x20008, 0xFFFF_FFFF])
        #expect(personalities.allSatisfy { $0.op == "SCMP_CMP_EQ" && $0.index == 0 })
        let socket = rules.filter { $0.names == ["socket"] }
        #expect(socket.count == 1)
        #expect(socket.first?.args == [RuntimeSpec.SeccompArg(index: 0, value: 40, op: "SCMP_CMP_NE")])
    }

    @Test(arguments: [
        ("CAP_SYS_ADMIN", ["mount", "umount2", "unshare", "setns", "clone", "clone3", "bpf", "fsopen", "sethostname"]),
        ("SYS_PTRACE", ["ptrace", "process_vm_readv", "process_vm_writev", "kcmp"]),
        ("cap_sys_module", ["init_module", "finit_module", "delete_module"]),
        ("CAP_SYS_BOOT", ["reboot"]),
        ("CAP_SYS_TIME", ["settimeofday", "clock_settime"]),
        ("CAP_SYSLOG", ["syslog"]),
        ("CAP_SYS_NICE", ["mbind", "set_mempolicy"]),
        ("CAP_SYS_RAWIO", ["iopl", "ioperm"]),
        ("CAP_BPF", ["bpf"]),
        ("CAP_PERFMON", ["perf_event_open"]),
        ("CAP_DAC_READ_SEARCH", ["open_by_handle_at"]),
    ])
    func capabilitiesUnlockTheirCalls(capability: String, names: [String]) {
        let without = allowedInAnyWay(DefaultSeccompProfile.docker(capabilities: DefaultCapabilities.docker))
        let withIt = DefaultSeccompProfile.docker(capabilities: DefaultCapabilities.docker + [capability])
        let unconditional = unconditionallyAllowed(withIt)
        for name in names {
            #expect(!without.contains(name) || name == "clone", "\(name) allowed without \(capability)")
            #expect(unconditional.contains(name), "\(name) not allowed with \(capability)")
        }
    }

    @Test func sysAdminLiftsTheCloneRestriction() {
        let rules = DefaultSeccompProfile.docker(capabilities: ["CAP_SYS_ADMIN"]).syscalls ?? []
        #expect(!rules.contains { $0.names.contains("clone") && $0.args != nil })
        #expect(!rules.contains { $0.action != "SCMP_ACT_ALLOW" })
    }

    @Test func someCallsStayDeniedWithEveryCapability() {
        let allowed = allowedInAnyWay(DefaultSeccompProfile.docker(capabilities: DefaultCapabilities.all))
        for name in ["kexec_load", "kexec_file_load", "keyctl", "add_key", "request_key", "swapon", "swapoff",
                     "pivot_root", "userfaultfd", "nfsservctl", "uselib", "io_uring_setup", "io_uring_enter", "io_uring_register"] {
            #expect(!allowed.contains(name), "\(name) allowed with all capabilities")
        }
    }

    @Test func noNameIsListedTwiceInTheBaseAllowlist() {
        var seen = Set<String>()
        for name in DefaultSeccompProfile.alwaysAllowed {
            #expect(seen.insert(name).inserted, "\(name) listed twice")
        }
        let gated = Set(DefaultSeccompProfile.capabilityGated.flatMap(\.1))
        #expect(seen.isDisjoint(with: gated), "gated calls also allowed unconditionally: \(seen.intersection(gated))")
    }

    @Test func encodesAsOCIConfigJSON() throws {
        let profile = DefaultSeccompProfile.docker(capabilities: DefaultCapabilities.docker)
        let data = try JSONEncoder().encode(profile)
        #expect(try JSONDecoder().decode(RuntimeSpec.Seccomp.self, from: data) == profile)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"defaultErrnoRet\":1"))
    }

    /// Every name must be a system call libseccomp knows on at least one of the profile's
    /// architectures, or the runtime could not compile the filter.
    @Test func everyNameIsKnownToLibseccomp() throws {
        let names = Set(DefaultSeccompProfile.architectureSpecific(.x86_64) + DefaultSeccompProfile.architectureSpecific(.aarch64)
            + DefaultSeccompProfile.alwaysAllowed + DefaultSeccompProfile.capabilityGated.flatMap(\.1)
            + ["socket", "personality", "clone", "clone3"]).sorted()
        guard let resolver = try SyscallResolver.make() else {
            print("skipping libseccomp name check: neither scmp_sys_resolver nor cc with seccomp.h is available")
            return
        }
        defer { resolver.cleanup() }
        let unknown = try resolver.unknown(names, architectures: ["x86_64", "x86", "x32", "aarch64", "arm"])
        #expect(unknown.isEmpty, "not syscalls per libseccomp: \(unknown)")
        // The check itself can fail.
        #expect(try resolver.unknown(["no_such_syscall"], architectures: ["x86_64"]) == ["no_such_syscall"])
    }
}

@Suite struct DefaultCapabilitiesTests {
    @Test func dockerSetIsTheFourteenDefaults() {
        #expect(DefaultCapabilities.docker.count == 14)
        #expect(DefaultCapabilities.docker.allSatisfy { DefaultCapabilities.number(of: $0) != nil })
        #expect(!DefaultCapabilities.docker.contains("CAP_SYS_ADMIN"))
        #expect(!DefaultCapabilities.docker.contains("CAP_NET_ADMIN"))
    }

    @Test func namesMapToBits() {
        #expect(DefaultCapabilities.number(of: "CAP_CHOWN") == 0)
        #expect(DefaultCapabilities.number(of: "sys_admin") == 21)
        #expect(DefaultCapabilities.number(of: "CAP_CHECKPOINT_RESTORE") == 40)
        #expect(DefaultCapabilities.number(of: "CAP_NOPE") == nil)
        #expect(DefaultCapabilities.lastCapability == 40)
    }

    /// The table must agree with the kernel headers installed on this machine.
    @Test func numbersMatchTheKernelHeader() throws {
        let header = "/usr/include/linux/capability.h"
        guard let text = try? String(contentsOfFile: header, encoding: .utf8) else {
            print("skipping: \(header) not installed")
            return
        }
        var fromHeader: [String: Int] = [:]
        for line in text.split(separator: "\n") {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if fields.count == 3, fields[0] == "#define", fields[1].hasPrefix("CAP_"), let n = Int(fields[2]) {
                fromHeader[String(fields[1])] = n
            }
        }
        for (number, name) in DefaultCapabilities.all.enumerated() {
            #expect(fromHeader[name] == number, "\(name)")
        }
        if let last = fromHeader["CAP_LAST_CAP"] { #expect(last <= DefaultCapabilities.lastCapability) }
    }
}

/// Asks the real libseccomp whether names are system calls: `scmp_sys_resolver` when
/// installed, else a ten-line C program compiled against libseccomp.
struct SyscallResolver {
    let tool: String
    let usesCompiledHelper: Bool
    let directory: String?

    static func make() throws -> SyscallResolver? {
        for dir in ["/usr/bin", "/usr/sbin", "/bin"] where FileManager.default.isExecutableFile(atPath: dir + "/scmp_sys_resolver") {
            return SyscallResolver(tool: dir + "/scmp_sys_resolver", usesCompiledHelper: false, directory: nil)
        }
        guard FileManager.default.fileExists(atPath: "/usr/include/seccomp.h"),
              let cc = ["/usr/bin/cc", "/usr/bin/gcc", "/usr/bin/clang"].first(where: FileManager.default.isExecutableFile(atPath:)) else {
            return nil
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("skiff-scmp-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let source = """
        #include <seccomp.h>
        #include <stdio.h>
        #include <string.h>
        /* argv[1]: arch name; stdin: one syscall name per line; prints the unknown ones. */
        int main(int argc, char **argv) {
            uint32_t arch = seccomp_arch_resolve_name(argv[1]);
            char line[256];
            if (arch == 0) return 2;
            while (fgets(line, sizeof line, stdin)) {
                line[strcspn(line, "\\n")] = 0;
                if (seccomp_syscall_resolve_name_arch(arch, line) == __NR_SCMP_ERROR) printf("%s\\n", line);
            }
            return 0;
        }
        """
        try source.write(toFile: directory + "/resolve.c", atomically: true, encoding: .utf8)
        let build = try run(cc, ["-o", directory + "/resolve", directory + "/resolve.c", "-lseccomp"], input: "")
        guard build.status == 0 else {
            print("skipping libseccomp name check: helper did not compile: \(build.output)")
            try? FileManager.default.removeItem(atPath: directory)
            return nil
        }
        return SyscallResolver(tool: directory + "/resolve", usesCompiledHelper: true, directory: directory)
    }

    /// Names unknown on EVERY one of `architectures`.
    func unknown(_ names: [String], architectures: [String]) throws -> [String] {
        var unknownEverywhere = Set(names)
        for arch in architectures {
            var unknownHere = Set<String>()
            if usesCompiledHelper {
                let result = try Self.run(tool, [arch], input: names.joined(separator: "\n") + "\n")
                #expect(result.status == 0, "resolver failed for \(arch)")
                unknownHere = Set(result.output.split(separator: "\n").map(String.init))
            } else {
                for name in names {
                    let result = try Self.run(tool, ["-a", arch, name], input: "")
                    let number = Int(result.output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
                    if result.status != 0 || number == -1 { unknownHere.insert(name) }
                }
            }
            unknownEverywhere.formIntersection(unknownHere)
        }
        return unknownEverywhere.sorted()
    }

    func cleanup() {
        if let directory { try? FileManager.default.removeItem(atPath: directory) }
    }

    static func run(_ executable: String, _ arguments: [String], input: String) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stdout
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let data = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
