import Foundation
import Testing
@testable import ContainerRuntime
import OCI

/// The parent-side translation of a spec: mount options, capability masks, seccomp BPF. No
/// root needed; the root-only suites prove the same values work in a real container.
@Suite("Runtime spec translation")
struct RuntimeSpecTranslationTests {
    @Test("mount options split into flags, propagation, bind and data")
    func mountOptions() {
        let options = MountOptions(["nosuid", "noexec", "rbind", "rslave", "ro", "mode=755", "size=65536k"])
        #expect(options.flags == UInt(MS_NOSUID | MS_NOEXEC | MS_RDONLY))
        #expect(options.propagation == UInt(MS_SLAVE | MS_REC))
        #expect(options.bind == 2)
        #expect(options.data == ["mode=755", "size=65536k"])
        #expect(MountOptions(["ro", "rw"]).flags == 0)
    }

    @Test("capability names become the kernel's bit numbers; unknown names are refused by name")
    func capabilityMasks() throws {
        #expect(try CapabilityMask.mask(["CAP_CHOWN", "CAP_KILL"], field: "bounding") == (1 << 0) | (1 << 5))
        #expect(try CapabilityMask.mask(["CAP_SYS_ADMIN"], field: "effective") == 1 << 21)
        let error = #expect(throws: RuntimeError.self) { try CapabilityMask.mask(["CAP_FLY"], field: "bounding") }
        #expect("\(error.map { "\($0)" } ?? "")".contains("CAP_FLY"))
    }

    @Test("Docker's default profile compiles to a BPF program; a bad action is named")
    func seccompCompiles() throws {
        let program = try SeccompCompiler.compile(DefaultSeccompProfile.docker(capabilities: DefaultCapabilities.docker))
        // struct sock_filter is 8 bytes; the profile needs hundreds of instructions.
        #expect(program.bytes.count % 8 == 0 && program.bytes.count > 8 * 100)
        let bad = RuntimeSpec.Seccomp(defaultAction: "SCMP_ACT_MAYBE")
        let error = #expect(throws: RuntimeError.self) { try SeccompCompiler.compile(bad) }
        #expect("\(error.map { "\($0)" } ?? "")".contains("SCMP_ACT_MAYBE"))
    }

    @Test("the default spec round-trips through JSON and keeps runc's masked and read-only paths")
    func defaultSpec() throws {
        let spec = DefaultRuntimeSpec.make(args: ["sh"])
        let decoded = try JSONDecoder().decode(RuntimeSpec.self, from: JSONEncoder().encode(spec))
        #expect(decoded == spec)
        #expect(decoded.linux?.readonlyPaths?.contains("/proc/sys") == true)
        #expect(decoded.linux?.maskedPaths?.contains("/proc/kcore") == true)
        #expect(Set(decoded.linux?.namespaces?.map(\.type) ?? []) == ["pid", "network", "ipc", "uts", "mount", "cgroup"])
    }

    @Test("a spec without a new mount namespace or with a relative cwd is refused with the reason")
    func invalidSpecs() throws {
        var spec = DefaultRuntimeSpec.make(args: ["true"], rootfs: "/")
        spec.linux?.namespaces = [.init(type: "pid")]
        #expect(throws: RuntimeError.self) {
            _ = try ContainerLaunchDescription(spec: spec, bundle: "/", rootfsMountpoint: nil, overlay: nil, execFifo: nil, seccomp: nil)
        }
        spec = DefaultRuntimeSpec.make(args: ["true"], rootfs: "/")
        spec.process?.cwd = "relative"
        let error = #expect(throws: RuntimeError.self) {
            _ = try ContainerLaunchDescription(spec: spec, bundle: "/", rootfsMountpoint: nil, overlay: nil, execFifo: nil, seccomp: nil)
        }
        #expect("\(error.map { "\($0)" } ?? "")".contains("process.cwd"))
    }
}
