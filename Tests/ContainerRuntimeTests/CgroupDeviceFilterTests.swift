import OCI
import Testing
@testable import ContainerRuntime
#if canImport(Glibc)
import Glibc
#endif

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

/// The programs on the real kernel, through the runtime's own installer (bpf(2) in
/// CLinuxSystem): loaded, verified, attached to a cgroup2 directory (the unified hierarchy of a
/// hybrid host works too), enforced on a real process opening real device nodes, replaced on
/// update and detached on destroy.
@Suite(.enabled(if: CgroupTestSupport.isRoot && CgroupTestSupport.unifiedRoot != nil, "needs root and a cgroup2 hierarchy"))
struct CgroupDeviceFilterKernelTests {
    /// Exit 0 when /dev/zero reads and /dev/null writes work but /dev/zero writes and /dev/urandom reads are refused.
    static let probe = """
    head -c1 /dev/zero >/dev/null || exit 11; echo x >/dev/null || exit 12; \
    (echo x >/dev/zero) 2>/dev/null && exit 13; head -c1 /dev/urandom >/dev/null 2>&1 && exit 14; exit 0
    """

    /// open() of /dev/zero for reading and of /dev/null for writing, each reported by its own exit code:
    /// 0 both open, 21 /dev/zero refused, 22 /dev/null refused. (No `2>/dev/null`: that is an open too.)
    static let openProbe = """
    (exec 3</dev/zero) 2>&- || exit 21; (exec 3>/dev/null) 2>&- || exit 22; exit 0
    """

    static func runProbe(_ script: String, in path: String, manager: CgroupV2Manager) throws -> Int32? {
        let process = try GatedProcess(script: script)
        try manager.addProcess(process.pid, to: path)
        process.release()
        return GatedProcess.exitCode(process.wait())
    }

    @Test func kernelEnforcesTheRulesOnARealProcess() throws {
        let root = try #require(CgroupTestSupport.unifiedRoot)
        let installer = KernelDeviceFilterInstaller()
        let manager = CgroupV2Manager(root: root, enableControllers: false, deviceFilterInstaller: installer)
        try CgroupTestSupport.withTestCgroup(manager) { parent in
            let rules: [RuntimeSpec.DeviceCgroup] = [
                .init(allow: false, access: "rwm"),
                .init(allow: true, type: "c", major: 1, minor: 3, access: "rwm"), // /dev/null
                .init(allow: true, type: "c", major: 1, minor: 5, access: "rwm"), // /dev/zero …
                .init(allow: false, type: "c", major: 1, minor: 5, access: "w"),  // … but not for writing
            ]
            try manager.create(path: parent + "/filtered", resources: .init(devices: rules))
            try manager.create(path: parent + "/open", resources: nil)
            #expect(try installer.attachedCount(cgroupDirectory: manager.directory(parent + "/filtered")) == 1)
            #expect(try installer.attachedCount(cgroupDirectory: manager.directory(parent + "/open")) == 0)

            #expect(try Self.runProbe(Self.probe, in: parent + "/filtered", manager: manager) == 0)
            // The same probe without the program: writing /dev/zero succeeds, so the filter is what refused it.
            #expect(try Self.runProbe(Self.probe, in: parent + "/open", manager: manager) == 13)

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

    @Test func updateReplacesTheProgramAndDestroyDetachesIt() throws {
        let root = try #require(CgroupTestSupport.unifiedRoot)
        let installer = KernelDeviceFilterInstaller()
        let manager = CgroupV2Manager(root: root, enableControllers: false, deviceFilterInstaller: installer)
        try CgroupTestSupport.withTestCgroup(manager) { parent in
            let path = parent + "/c"
            let directory = manager.directory(path)
            // Deny /dev/zero reads, allow /dev/null.
            try manager.create(path: path, resources: .init(devices: [
                .init(allow: false, access: "rwm"),
                .init(allow: true, type: "c", major: 1, minor: 3, access: "rwm"),
            ]))
            #expect(try Self.runProbe(Self.openProbe, in: path, manager: manager) == 21)

            // Now allow /dev/zero and deny /dev/null: the old program must be gone, not stacked
            // (stacked, both would have to allow and /dev/zero would stay refused).
            try manager.update(path: path, resources: .init(devices: [
                .init(allow: false, access: "rwm"),
                .init(allow: true, type: "c", major: 1, minor: 5, access: "r"),
            ]))
            #expect(try installer.attachedCount(cgroupDirectory: directory) == 1)
            #expect(try Self.runProbe(Self.openProbe, in: path, manager: manager) == 22)

            try installer.remove(cgroupDirectory: directory)
            #expect(try installer.attachedCount(cgroupDirectory: directory) == 0)
            #expect(try Self.runProbe(Self.openProbe, in: path, manager: manager) == 0)

            try manager.update(path: path, resources: .init(devices: [.init(allow: false, access: "rwm")]))
            try manager.destroy(path: path)
            #expect(!CgroupFiles.exists(directory))
        }
    }

    @Test func refusedProgramsNameTheCgroup() throws {
        let root = try #require(CgroupTestSupport.unifiedRoot)
        let installer = KernelDeviceFilterInstaller()
        let manager = CgroupV2Manager(root: root, enableControllers: false, deviceFilterInstaller: installer)
        try CgroupTestSupport.withTestCgroup(manager) { parent in
            // A program that never sets r0 before exit: the verifier refuses it.
            let bad = CgroupDeviceFilter.Instruction(code: CgroupDeviceFilter.exit, destination: 0, source: 0, offset: 0, immediate: 0).bytes
            let directory = manager.directory(parent)
            let error = #expect(throws: CgroupError.self) {
                try installer.install(program: bad, cgroupDirectory: directory)
            }
            let message = error.map { "\($0)" } ?? ""
            #expect(message.contains(directory), "\(message)")
            let attached = try installer.attachedCount(cgroupDirectory: directory)
            #expect(attached == 0)
        }
    }
}
