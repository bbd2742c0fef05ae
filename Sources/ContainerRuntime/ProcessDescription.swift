import CLinuxSystem
import OCI

/// A `RuntimeSpec.Process` checked and resolved (capability masks, rlimit numbers, the
/// compiled seccomp program), ready to be laid out as a `csys_process`.
struct ProcessDescription {
    var args: [String]
    var env: [String]
    var cwd: String
    var uid: UInt32
    var gid: UInt32
    var additionalGids: [UInt32]
    var umask: UInt32?
    var capabilities: (bounding: UInt64, effective: UInt64, permitted: UInt64, inheritable: UInt64, ambient: UInt64)?
    var noNewPrivileges: Bool
    var seccomp: SeccompCompiler.Program?
    var rlimits: [csys_rlimit]
    var oomScoreAdj: Int?
    var terminal: Bool

    init(_ process: RuntimeSpec.Process, seccomp: SeccompCompiler.Program?) throws(RuntimeError) {
        guard let args = process.args, !args.isEmpty else { throw .invalidSpec("process.args must name a program") }
        guard process.cwd.hasPrefix("/") else { throw .invalidSpec("process.cwd must be absolute, got \(process.cwd)") }
        self.args = args
        self.env = process.env ?? []
        self.cwd = process.cwd
        self.uid = process.user.uid
        self.gid = process.user.gid
        self.additionalGids = process.user.additionalGids ?? []
        self.umask = process.user.umask
        if let caps = process.capabilities {
            capabilities = (
                try CapabilityMask.mask(caps.bounding, field: "bounding"),
                try CapabilityMask.mask(caps.effective, field: "effective"),
                try CapabilityMask.mask(caps.permitted, field: "permitted"),
                try CapabilityMask.mask(caps.inheritable, field: "inheritable"),
                try CapabilityMask.mask(caps.ambient, field: "ambient"))
        }
        self.noNewPrivileges = process.noNewPrivileges ?? false
        self.seccomp = seccomp
        var limits: [csys_rlimit] = []
        for limit in process.rlimits ?? [] {
            limits.append(csys_rlimit(resource: try RlimitNames.resource(limit.type), soft: limit.soft, hard: limit.hard))
        }
        self.rlimits = limits
        self.oomScoreAdj = process.oomScoreAdj
        self.terminal = process.terminal ?? false
    }

    func layout(in arena: CArena) -> csys_process {
        let caps = capabilities
        return csys_process(
            argv: arena.strings(args), envp: arena.strings(env), cwd: arena.string(cwd),
            uid: uid, gid: gid, additional_gids: arena.array(additionalGids), additional_gid_count: additionalGids.count,
            has_umask: umask == nil ? 0 : 1, umask: umask ?? 0o022,
            has_caps: caps == nil ? 0 : 1,
            cap_bounding: caps?.bounding ?? 0, cap_effective: caps?.effective ?? 0, cap_permitted: caps?.permitted ?? 0,
            cap_inheritable: caps?.inheritable ?? 0, cap_ambient: caps?.ambient ?? 0,
            no_new_privs: noNewPrivileges ? 1 : 0,
            seccomp_bpf: seccomp.flatMap { arena.bytes($0.bytes) }, seccomp_bpf_len: seccomp?.bytes.count ?? 0,
            seccomp_flags: seccomp?.flags ?? 0,
            rlimits: arena.array(rlimits), rlimit_count: rlimits.count,
            has_oom_score_adj: oomScoreAdj == nil ? 0 : 1, oom_score_adj: Int32(clamping: oomScoreAdj ?? 0),
            terminal: terminal ? 1 : 0)
    }
}
