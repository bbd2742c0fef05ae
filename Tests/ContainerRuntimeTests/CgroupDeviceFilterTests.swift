import Foundation
import OCI
import Testing
@testable import ContainerRuntime
#if canImport(Glibc)
import Glibc
#endif

/// Loads device programs with a small C loader compiled against the kernel headers (the
/// runtime's own installer lives with its C wrappers). Test support only: the program, the
/// verifier and the enforcement are the kernel's.
struct CompiledBPFLoader: CgroupDeviceFilterInstaller {
    let executable: String

    static let source = """
    #include <errno.h>
    #include <fcntl.h>
    #include <linux/bpf.h>
    #include <stdio.h>
    #include <string.h>
    #include <sys/syscall.h>
    #include <unistd.h>
    /* attach <program file> <cgroup2 directory>: load a BPF_PROG_TYPE_CGROUP_DEVICE program and attach it. */
    int main(int argc, char **argv) {
        static unsigned char insns[1 << 16];
        static char log[1 << 16];
        if (argc != 3) return 2;
        int f = open(argv[1], O_RDONLY);
        ssize_t n = read(f, insns, sizeof insns);
        close(f);
        union bpf_attr attr;
        memset(&attr, 0, sizeof attr);
        attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
        attr.insns = (unsigned long)insns;
        attr.insn_cnt = (unsigned)(n / 8);
        attr.license = (unsigned long)"Apache-2.0";
        attr.log_buf = (unsigned long)log;
        attr.log_size = sizeof log;
        attr.log_level = 1;
        int prog = syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof attr);
        if (prog < 0) { fprintf(stderr, "BPF_PROG_LOAD: %s\\n%s\\n", strerror(errno), log); return 1; }
        int cgroup = open(argv[2], O_RDONLY | O_DIRECTORY);
        memset(&attr, 0, sizeof attr);
        attr.target_fd = cgroup;
        attr.attach_bpf_fd = prog;
        attr.attach_type = BPF_CGROUP_DEVICE;
        attr.attach_flags = BPF_F_ALLOW_MULTI;
        if (syscall(SYS_bpf, BPF_PROG_ATTACH, &attr, sizeof attr) < 0) { perror("BPF_PROG_ATTACH"); return 1; }
        return 0;
    }
    """

    /// Compiles the loader into `directory`, or returns nil (with the reason) when no C compiler or headers exist.
    static func build(in directory: String) throws -> CompiledBPFLoader? {
        guard FileManager.default.fileExists(atPath: "/usr/include/linux/bpf.h"),
              let cc = ["/usr/bin/cc", "/usr/bin/gcc", "/usr/bin/clang"].first(where: FileManager.default.isExecutableFile(atPath:)) else {
            return nil
        }
        try source.write(toFile: directory + "/attach.c", atomically: true, encoding: .utf8)
        let result = try SyscallResolver.run(cc, ["-o", directory + "/attach", directory + "/attach.c"], input: "")
        guard result.status == 0 else {
            Issue.record("BPF loader did not compile: \(result.output)")
            return nil
        }
        return CompiledBPFLoader(executable: directory + "/attach")
    }

    func install(program: [UInt8], cgroupDirectory: String) throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("skiff-devprog-\(UUID().uuidString)").path
        try Data(program).write(to: URL(fileURLWithPath: file))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let result = try SyscallResolver.run(executable, [file, cgroupDirectory], input: "")
        guard result.status == 0 else {
            throw CgroupError.unsupported("device program rejected: \(result.output)")
        }
    }
}

@Suite struct CgroupDeviceFilterProgramTests {
    @Test func emptyRulesDenyEverything() throws {
        let program = try CgroupDeviceFilter.program(for: [])
        #expect(program.count == 8)
        #expect(program.suffix(2).map(\.immediate) == [0, 0])
        #expect(program.last?.code == CgroupDeviceFilter.exit)
    }

    @Test func anAlwaysMatchingRuleEndsTheProgram() throws {
        // Last rule "allow all" decides everything: nothing may follow it (the verifier refuses dead code).
        let program = try CgroupDeviceFilter.program(for: [.init(allow: false, access: "rwm"), .init(allow: true, access: "rwm")])
        #expect(program.count == 8)
        #expect(program[6] == .init(code: CgroupDeviceFilter.mov64Immediate, destination: 0, source: 0, offset: 0, immediate: 1))
    }

    @Test func jumpsSkipExactlyTheirBlock() throws {
        let program = try CgroupDeviceFilter.program(for: [.init(allow: true, type: "c", major: 1, minor: 3, access: "rw")])
        // prologue 6 | JNE type, mov, and, JNE access, JNE major, JNE minor, mov r0 1, exit | mov r0 0, exit
        #expect(program.count == 6 + 8 + 2)
        let jumps = program.enumerated().filter { $0.element.code == CgroupDeviceFilter.jumpIfNotEqual }
        for (index, jump) in jumps {
            #expect(index + 1 + Int(jump.offset) == 14, "jump at \(index) lands on \(index + 1 + Int(jump.offset))")
        }
        #expect(try CgroupDeviceFilter.bytes(for: [.init(allow: true)]).count == 8 * 8)
    }

    @Test func invalidRulesAreRefused() {
        #expect(throws: CgroupError.self) { try CgroupDeviceFilter.program(for: [.init(allow: true, type: "z")]) }
        #expect(throws: CgroupError.self) { try CgroupDeviceFilter.program(for: [.init(allow: true, type: "c", major: -7)]) }
    }
}

/// The programs on the real kernel: loaded, verified, attached to a cgroup2 directory, and
/// enforced on a real process opening real device nodes.
@Suite(.enabled(if: CgroupTestSupport.isRoot && CgroupTestSupport.unifiedRoot != nil, "needs root and a cgroup2 hierarchy"))
struct CgroupDeviceFilterKernelTests {
    /// Exit 0 when /dev/zero reads and /dev/null writes work but /dev/zero writes and /dev/urandom reads are refused.
    static let probe = """
    head -c1 /dev/zero >/dev/null || exit 11; echo x >/dev/null || exit 12; \
    (echo x >/dev/zero) 2>/dev/null && exit 13; head -c1 /dev/urandom >/dev/null 2>&1 && exit 14; exit 0
    """

    @Test func kernelEnforcesTheRulesOnARealProcess() throws {
        let root = try #require(CgroupTestSupport.unifiedRoot)
        var template = Array(FileManager.default.temporaryDirectory.appendingPathComponent("skiff-bpf-XXXXXX").path.utf8CString)
        let directory = String(cString: try #require(template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }))
        defer { removeTemporaryTree(directory) }
        guard let loader = try CompiledBPFLoader.build(in: directory) else {
            print("skipping device filter kernel test: no C compiler or linux/bpf.h")
            return
        }
        let manager = CgroupV2Manager(root: root, enableControllers: false, deviceFilterInstaller: loader)
        try CgroupTestSupport.withTestCgroup(manager) { parent in
            let rules: [RuntimeSpec.DeviceCgroup] = [
                .init(allow: false, access: "rwm"),
                .init(allow: true, type: "c", major: 1, minor: 3, access: "rwm"), // /dev/null
                .init(allow: true, type: "c", major: 1, minor: 5, access: "rwm"), // /dev/zero …
                .init(allow: false, type: "c", major: 1, minor: 5, access: "w"),  // … but not for writing
            ]
            try manager.create(path: parent + "/filtered", resources: .init(devices: rules))
            try manager.create(path: parent + "/open", resources: nil)

            let filtered = try GatedProcess(script: Self.probe)
            try manager.addProcess(filtered.pid, to: parent + "/filtered")
            filtered.release()
            #expect(GatedProcess.exitCode(filtered.wait()) == 0)

            // The same probe without the program: writing /dev/zero succeeds, so the filter is what refused it.
            let unfiltered = try GatedProcess(script: Self.probe)
            try manager.addProcess(unfiltered.pid, to: parent + "/open")
            unfiltered.release()
            #expect(GatedProcess.exitCode(unfiltered.wait()) == 13)

            // Rule sets the verifier must accept: allow-all, deny-all, wildcards, block devices.
            for (index, set) in [
                [RuntimeSpec.DeviceCgroup(allow: true, access: "rwm")],
                [],
                [.init(allow: true, type: "c", major: 136, minor: nil, access: "rwm"), .init(allow: true, type: "b", major: 8, minor: 0, access: "r")],
                [.init(allow: true, access: "rwm"), .init(allow: false, type: "b", access: "m")],
            ].enumerated() {
                try manager.create(path: parent + "/verify\(index)", resources: .init(devices: set))
            }
        }
    }
}
