import OCI

/// cgroup v2 has no `devices.allow`/`devices.deny`: device access is decided by an eBPF
/// program of type BPF_PROG_TYPE_CGROUP_DEVICE attached to the cgroup (attach type
/// BPF_CGROUP_DEVICE). The kernel runs it on every open/mknod of a device node with a
/// `struct bpf_cgroup_dev_ctx { u32 access_type; u32 major; u32 minor; }` where
/// `access_type = (access << 16) | type` (access bits: mknod 1, read 2, write 4; type:
/// block 1, char 2), and allows the operation when it returns 1.
///
/// This builds that program from OCI device rules with v1's meaning: rules apply in order
/// and the LAST rule that matches decides; nothing matching means deny. The program checks
/// the rules from last to first and returns at the first match. A request matches a rule
/// when its type, major and minor match (or the rule has a wildcard) and, for an allow rule,
/// every access it asks for is among the rule's; for a deny rule, any of them is (so
/// "deny w" refuses a read-write open even after "allow rwm").
///
/// Loading and attaching need the `bpf(2)` system call, which Swift cannot call directly
/// (a variadic `syscall`); a `CgroupDeviceFilterInstaller` does that part
/// (`KernelDeviceFilterInstaller` in production).
public enum CgroupDeviceFilter {
    /// One eBPF instruction (`struct bpf_insn`).
    public struct Instruction: Sendable, Equatable {
        public var code: UInt8
        public var destination: UInt8
        public var source: UInt8
        public var offset: Int16
        public var immediate: Int32

        /// The 8 bytes the kernel expects: code, `dst | src << 4`, offset, immediate (little-endian hosts).
        public var bytes: [UInt8] {
            let off = UInt16(bitPattern: offset)
            let imm = UInt32(bitPattern: immediate)
            return [code, (destination & 0x0F) | (source << 4),
                    UInt8(off & 0xFF), UInt8(off >> 8),
                    UInt8(imm & 0xFF), UInt8((imm >> 8) & 0xFF), UInt8((imm >> 16) & 0xFF), UInt8(imm >> 24)]
        }
    }

    // Opcodes (linux/bpf.h, bpf_common.h).
    static let loadWord: UInt8 = 0x61        // BPF_LDX | BPF_MEM | BPF_W: dst = *(u32 *)(src + off)
    static let and32Immediate: UInt8 = 0x54  // BPF_ALU | BPF_AND | BPF_K
    static let rsh32Immediate: UInt8 = 0x74  // BPF_ALU | BPF_RSH | BPF_K
    static let mov64Register: UInt8 = 0xBF   // BPF_ALU64 | BPF_MOV | BPF_X
    static let mov64Immediate: UInt8 = 0xB7  // BPF_ALU64 | BPF_MOV | BPF_K
    static let jumpIfNotEqual: UInt8 = 0x55  // BPF_JMP | BPF_JNE | BPF_K
    static let jumpIfEqual: UInt8 = 0x15     // BPF_JMP | BPF_JEQ | BPF_K
    static let exit: UInt8 = 0x95            // BPF_JMP | BPF_EXIT

    /// The instructions for `rules`.
    public static func program(for rules: [RuntimeSpec.DeviceCgroup]) throws -> [Instruction] {
        // r1 = context; r2 = type, r3 = access, r4 = major, r5 = minor.
        var program: [Instruction] = [
            Instruction(code: loadWord, destination: 2, source: 1, offset: 0, immediate: 0),
            Instruction(code: and32Immediate, destination: 2, source: 0, offset: 0, immediate: 0xFFFF),
            Instruction(code: loadWord, destination: 3, source: 1, offset: 0, immediate: 0),
            Instruction(code: rsh32Immediate, destination: 3, source: 0, offset: 0, immediate: 16),
            Instruction(code: loadWord, destination: 4, source: 1, offset: 4, immediate: 0),
            Instruction(code: loadWord, destination: 5, source: 1, offset: 8, immediate: 0),
        ]
        for rule in rules.reversed() {
            let block = try matchBlock(rule)
            program += block.instructions
            // The verifier refuses unreachable code: stop after a rule that always matches.
            if block.alwaysMatches { return program }
        }
        program += [
            Instruction(code: mov64Immediate, destination: 0, source: 0, offset: 0, immediate: 0),
            Instruction(code: exit, destination: 0, source: 0, offset: 0, immediate: 0),
        ]
        return program
    }

    /// The program as the byte string `BPF_PROG_LOAD` takes.
    public static func bytes(for rules: [RuntimeSpec.DeviceCgroup]) throws -> [UInt8] {
        try program(for: rules).flatMap(\.bytes)
    }

    /// Checks for one rule: each failed check jumps past the block's end; if all pass, return
    /// the rule's verdict.
    private static func matchBlock(_ rule: RuntimeSpec.DeviceCgroup) throws -> (instructions: [Instruction], alwaysMatches: Bool) {
        // Reuse the v1 rule validation so both versions accept exactly the same rules.
        _ = try CgroupValues.v1DeviceRule(rule)
        enum Check {
            case notEqual(register: UInt8, value: Int32)
            /// Allow rules: skip unless the request's access bits are all in the rule's.
            case accessNotCovered(mask: Int32)
            /// Deny rules: skip unless the request shares an access bit with the rule.
            case accessDisjoint(bits: Int32)
        }
        var checks: [Check] = []
        switch rule.type ?? "a" {
        case "b": checks.append(.notEqual(register: 2, value: 1))
        case "c": checks.append(.notEqual(register: 2, value: 2))
        default: break
        }
        let access = rule.access ?? "rwm"
        var accessBits: Int32 = 0
        if access.contains("m") { accessBits |= 1 }
        if access.contains("r") { accessBits |= 2 }
        if access.contains("w") { accessBits |= 4 }
        if accessBits != 7 {
            checks.append(rule.allow ? .accessNotCovered(mask: ~accessBits) : .accessDisjoint(bits: accessBits))
        }
        for (register, value) in [(UInt8(4), rule.major), (UInt8(5), rule.minor)] {
            guard let value, value != -1 else { continue }
            guard value >= 0, value <= Int64(Int32.max) else {
                throw CgroupError.invalidResource("device number \(value) is out of range")
            }
            checks.append(.notEqual(register: register, value: Int32(value)))
        }

        let verdict = [
            Instruction(code: mov64Immediate, destination: 0, source: 0, offset: 0, immediate: rule.allow ? 1 : 0),
            Instruction(code: exit, destination: 0, source: 0, offset: 0, immediate: 0),
        ]
        // Build back to front so each jump knows how many instructions remain in the block.
        var block = verdict
        for check in checks.reversed() {
            switch check {
            case let .notEqual(register, value):
                block.insert(Instruction(code: jumpIfNotEqual, destination: register, source: 0,
                                         offset: Int16(block.count), immediate: value), at: 0)
            case let .accessNotCovered(mask):
                // r1 = access & ~allowed; any bit left means the rule does not cover the request.
                block.insert(Instruction(code: jumpIfNotEqual, destination: 1, source: 0,
                                         offset: Int16(block.count), immediate: 0), at: 0)
                block.insert(Instruction(code: and32Immediate, destination: 1, source: 0, offset: 0, immediate: mask), at: 0)
                block.insert(Instruction(code: mov64Register, destination: 1, source: 3, offset: 0, immediate: 0), at: 0)
            case let .accessDisjoint(bits):
                block.insert(Instruction(code: jumpIfEqual, destination: 1, source: 0,
                                         offset: Int16(block.count), immediate: 0), at: 0)
                block.insert(Instruction(code: and32Immediate, destination: 1, source: 0, offset: 0, immediate: bits), at: 0)
                block.insert(Instruction(code: mov64Register, destination: 1, source: 3, offset: 0, immediate: 0), at: 0)
            }
        }
        return (block, checks.isEmpty)
    }
}

/// Loads a device program into the kernel and attaches it to a cgroup2 directory
/// (`bpf(BPF_PROG_LOAD)` with BPF_PROG_TYPE_CGROUP_DEVICE, then `bpf(BPF_PROG_ATTACH)` with
/// BPF_CGROUP_DEVICE and BPF_F_ALLOW_MULTI, replacing a program it attached there before).
/// A protocol so that tests can observe what would be installed without the kernel.
public protocol CgroupDeviceFilterInstaller: Sendable {
    func install(program: [UInt8], cgroupDirectory: String) throws
    /// Detaches what `install` attached (before the cgroup is removed).
    func remove(cgroupDirectory: String) throws
}

extension CgroupDeviceFilterInstaller {
    /// Removing the cgroup releases its programs; installers without an explicit detach rely on that.
    public func remove(cgroupDirectory: String) throws {}
}
