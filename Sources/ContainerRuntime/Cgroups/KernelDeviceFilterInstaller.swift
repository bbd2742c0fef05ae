import CLinuxSystem

/// The production `CgroupDeviceFilterInstaller`: `bpf(BPF_PROG_LOAD)` a
/// BPF_PROG_TYPE_CGROUP_DEVICE program and `bpf(BPF_PROG_ATTACH)` it to the cgroup2
/// directory with BPF_F_ALLOW_MULTI, then detach the programs attached there before, so an
/// update replaces the rules instead of stacking them (stacked programs must all allow).
/// The attachment keeps the program alive; removing the cgroup releases it, and `remove`
/// detaches explicitly first.
public struct KernelDeviceFilterInstaller: CgroupDeviceFilterInstaller {
    public init() {}

    public func install(program: [UInt8], cgroupDirectory: String) throws {
        guard program.count % 8 == 0, program.count / 8 <= 4096 else {
            throw CgroupError.invalidResource("device program of \(program.count) bytes is not a whole number of at most 4096 instructions")
        }
        var log = [CChar](repeating: 0, count: 16 * 1024)
        let rc = program.withUnsafeBytes { bytes in
            log.withUnsafeMutableBufferPointer { buffer in
                csys_bpf_device_install(bytes.baseAddress, UInt32(program.count / 8), cgroupDirectory, buffer.baseAddress, buffer.count)
            }
        }
        guard rc == 0 else {
            let code = csys_errno()
            let verifier = String(decoding: log.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if verifier.isEmpty {
                throw CgroupError.system(operation: "bpf device program (load/attach)", path: cgroupDirectory, errno: code)
            }
            throw CgroupError.unsupported("the kernel's verifier refused the device program for \(cgroupDirectory): \(verifier.suffix(600))")
        }
    }

    public func remove(cgroupDirectory: String) throws {
        if csys_bpf_device_detach_all(cgroupDirectory) < 0 {
            throw CgroupError.system(operation: "bpf detach device programs", path: cgroupDirectory, errno: csys_errno())
        }
    }

    /// How many device programs are attached directly to the cgroup (tests, diagnostics).
    public func attachedCount(cgroupDirectory: String) throws -> Int {
        let count = csys_bpf_device_count(cgroupDirectory)
        guard count >= 0 else {
            throw CgroupError.system(operation: "bpf query device programs", path: cgroupDirectory, errno: csys_errno())
        }
        return Int(count)
    }
}
