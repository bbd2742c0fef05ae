#if canImport(Glibc)
import Glibc
#endif
import CLinuxSystem
import OCI

/// Compiles `linux.seccomp` into a classic-BPF program with libseccomp, in the parent: the
/// container child then only calls seccomp(2) with the finished bytes.
public enum SeccompCompiler {
    /// The program as `struct sock_filter[]` bytes, plus the seccomp(2) flags it asks for.
    public struct Program: Sendable, Equatable {
        public var bytes: [UInt8]
        public var flags: UInt32
    }

    public static func compile(_ seccomp: RuntimeSpec.Seccomp) throws(RuntimeError) -> Program {
        let arena = CArena()
        var rules: [csys_seccomp_rule] = []
        for rule in seccomp.syscalls ?? [] {
            let args = (rule.args ?? []).map { arg in
                csys_seccomp_arg(index: arg.index, value: arg.value, value_two: arg.valueTwo ?? 0, op: arena.string(arg.op))
            }
            rules.append(csys_seccomp_rule(
                names: arena.strings(rule.names), name_count: rule.names.count,
                action: arena.string(rule.action), has_errno: rule.errnoRet == nil ? 0 : 1,
                errno_ret: rule.errnoRet ?? 0, args: arena.array(args), arg_count: args.count))
        }
        let arches = seccomp.architectures ?? []
        var profile = csys_seccomp_profile(
            default_action: arena.string(seccomp.defaultAction),
            has_default_errno: seccomp.defaultErrnoRet == nil ? 0 : 1,
            default_errno: seccomp.defaultErrnoRet ?? 0,
            architectures: arena.strings(arches), arch_count: arches.count,
            rules: arena.array(rules), rule_count: rules.count)
        var bpf: UnsafeMutableRawPointer?
        var length = 0
        var message = [CChar](repeating: 0, count: 512)
        let rc = csys_seccomp_compile(&profile, &bpf, &length, &message, message.count)
        guard rc == 0, let bpf else {
            throw .invalidSpec("linux.seccomp: " + String(decoding: message.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        defer { free(bpf) }
        let bytes = [UInt8](UnsafeRawBufferPointer(start: bpf, count: length))
        return Program(bytes: bytes, flags: try flags(seccomp.flags ?? []))
    }

    private static func flags(_ names: [String]) throws(RuntimeError) -> UInt32 {
        var flags: UInt32 = 0
        for name in names {
            switch name {
            case "SECCOMP_FILTER_FLAG_TSYNC": flags |= 1
            case "SECCOMP_FILTER_FLAG_LOG": flags |= 2
            case "SECCOMP_FILTER_FLAG_SPEC_ALLOW": flags |= 4
            default: throw .invalidSpec("linux.seccomp.flags: unknown flag \(name)")
            }
        }
        return flags
    }
}
