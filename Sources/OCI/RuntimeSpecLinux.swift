extension RuntimeSpec {
    /// Linux-specific container configuration (`linux` in `config.json`).
    public struct Linux: Codable, Sendable, Equatable {
        /// Namespaces to create, or to join when `path` is set.
        public var namespaces: [Namespace]?
        public var uidMappings: [IDMapping]?
        public var gidMappings: [IDMapping]?
        /// Device nodes to create in the container's `/dev`.
        public var devices: [Device]?
        /// Path of the container's cgroup, relative to the cgroup root(s).
        public var cgroupsPath: String?
        public var resources: Resources?
        /// Kernel parameters set in the container's namespaces.
        public var sysctl: [String: String]?
        public var seccomp: Seccomp?
        /// Propagation of the root mount: `shared`, `slave`, `private`, `unbindable`, `r…`.
        public var rootfsPropagation: String?
        /// Paths inside the container covered so they cannot be read.
        public var maskedPaths: [String]?
        /// Paths inside the container remounted read-only.
        public var readonlyPaths: [String]?
        public var mountLabel: String?
        public var personality: Personality?

        public init(namespaces: [Namespace]? = nil, devices: [Device]? = nil, cgroupsPath: String? = nil,
                    resources: Resources? = nil, sysctl: [String: String]? = nil, seccomp: Seccomp? = nil,
                    rootfsPropagation: String? = nil, maskedPaths: [String]? = nil, readonlyPaths: [String]? = nil) {
            self.namespaces = namespaces
            self.devices = devices
            self.cgroupsPath = cgroupsPath
            self.resources = resources
            self.sysctl = sysctl
            self.seccomp = seccomp
            self.rootfsPropagation = rootfsPropagation
            self.maskedPaths = maskedPaths
            self.readonlyPaths = readonlyPaths
        }
    }

    public struct Namespace: Codable, Sendable, Equatable {
        /// `pid`, `network`, `mount`, `ipc`, `uts`, `user`, `cgroup`, `time`.
        public var type: String
        /// A namespace file (e.g. `/proc/1234/ns/net`) to join instead of creating one.
        public var path: String?
        public init(type: String, path: String? = nil) { self.type = type; self.path = path }
    }

    public struct IDMapping: Codable, Sendable, Equatable {
        public var containerID: UInt32
        public var hostID: UInt32
        public var size: UInt32
    }

    public struct Device: Codable, Sendable, Equatable {
        /// `c`, `b`, `u` or `p`.
        public var type: String
        /// Full path inside the container.
        public var path: String
        public var major: Int64?
        public var minor: Int64?
        public var fileMode: UInt32?
        public var uid: UInt32?
        public var gid: UInt32?
        public init(type: String, path: String, major: Int64?, minor: Int64?, fileMode: UInt32? = nil,
                    uid: UInt32? = nil, gid: UInt32? = nil) {
            self.type = type
            self.path = path
            self.major = major
            self.minor = minor
            self.fileMode = fileMode
            self.uid = uid
            self.gid = gid
        }
    }

    public struct Personality: Codable, Sendable, Equatable {
        public var domain: String
        public var flags: [String]?
    }

    /// Cgroup resource limits (`linux.resources`).
    public struct Resources: Codable, Sendable, Equatable {
        public var devices: [DeviceCgroup]?
        public var memory: Memory?
        public var cpu: CPU?
        public var pids: Pids?
        public var blockIO: BlockIO?
        public var hugepageLimits: [HugepageLimit]?
        /// cgroup v2 files written as-is, e.g. `{"memory.high": "100M"}`.
        public var unified: [String: String]?

        public init(devices: [DeviceCgroup]? = nil, memory: Memory? = nil, cpu: CPU? = nil, pids: Pids? = nil,
                    blockIO: BlockIO? = nil, hugepageLimits: [HugepageLimit]? = nil, unified: [String: String]? = nil) {
            self.devices = devices
            self.memory = memory
            self.cpu = cpu
            self.pids = pids
            self.blockIO = blockIO
            self.hugepageLimits = hugepageLimits
            self.unified = unified
        }
    }

    public struct DeviceCgroup: Codable, Sendable, Equatable {
        public var allow: Bool
        public var type: String?
        public var major: Int64?
        public var minor: Int64?
        /// Any of `r`, `w`, `m`.
        public var access: String?
        public init(allow: Bool, type: String? = nil, major: Int64? = nil, minor: Int64? = nil, access: String? = nil) {
            self.allow = allow
            self.type = type
            self.major = major
            self.minor = minor
            self.access = access
        }
    }

    public struct Memory: Codable, Sendable, Equatable {
        /// Bytes; -1 for unlimited.
        public var limit: Int64?
        public var reservation: Int64?
        /// Memory plus swap, in bytes (v1 semantics, as the spec defines it).
        public var swap: Int64?
        public var kernel: Int64?
        public var kernelTCP: Int64?
        public var swappiness: UInt64?
        public var disableOOMKiller: Bool?
        public var useHierarchy: Bool?
        public init(limit: Int64? = nil, reservation: Int64? = nil, swap: Int64? = nil, swappiness: UInt64? = nil,
                    disableOOMKiller: Bool? = nil) {
            self.limit = limit
            self.reservation = reservation
            self.swap = swap
            self.swappiness = swappiness
            self.disableOOMKiller = disableOOMKiller
        }
    }

    public struct CPU: Codable, Sendable, Equatable {
        /// Relative weight (v1 `cpu.shares`, 2–262144).
        public var shares: UInt64?
        /// Microseconds of CPU time per `period`; -1 for no limit.
        public var quota: Int64?
        public var burst: UInt64?
        /// Microseconds; the window `quota` applies to.
        public var period: UInt64?
        public var realtimeRuntime: Int64?
        public var realtimePeriod: UInt64?
        /// CPUs the container may run on, `0-3,5` syntax.
        public var cpus: String?
        /// Memory nodes the container may use.
        public var mems: String?
        public var idle: Int64?
        public init(shares: UInt64? = nil, quota: Int64? = nil, period: UInt64? = nil, cpus: String? = nil, mems: String? = nil) {
            self.shares = shares
            self.quota = quota
            self.period = period
            self.cpus = cpus
            self.mems = mems
        }
    }

    public struct Pids: Codable, Sendable, Equatable {
        /// Maximum number of tasks; 0 or negative for no limit.
        public var limit: Int64
        public init(limit: Int64) { self.limit = limit }
    }

    public struct BlockIO: Codable, Sendable, Equatable {
        /// Per-cgroup weight (v1 `blkio.weight`, 10–1000; v2 `io.weight` after conversion).
        public var weight: UInt16?
        public var leafWeight: UInt16?
        public init(weight: UInt16? = nil, leafWeight: UInt16? = nil) {
            self.weight = weight
            self.leafWeight = leafWeight
        }
    }

    public struct HugepageLimit: Codable, Sendable, Equatable {
        /// Page size as the kernel names it, e.g. `2MB`, `1GB`.
        public var pageSize: String
        /// Bytes of hugetlb usage allowed.
        public var limit: UInt64
        public init(pageSize: String, limit: UInt64) {
            self.pageSize = pageSize
            self.limit = limit
        }
    }

    /// Seccomp filter (`linux.seccomp`), compiled by the runtime into a BPF program.
    public struct Seccomp: Codable, Sendable, Equatable {
        /// `SCMP_ACT_ERRNO`, `SCMP_ACT_ALLOW`, `SCMP_ACT_KILL`, …: the action when no rule matches.
        public var defaultAction: String
        /// The errno returned by `SCMP_ACT_ERRNO` when set (EPERM otherwise).
        public var defaultErrnoRet: UInt32?
        /// `SCMP_ARCH_X86_64`, `SCMP_ARCH_X86`, …
        public var architectures: [String]?
        public var flags: [String]?
        public var listenerPath: String?
        public var syscalls: [SeccompRule]?
        public init(defaultAction: String, defaultErrnoRet: UInt32? = nil, architectures: [String]? = nil,
                    syscalls: [SeccompRule]? = nil) {
            self.defaultAction = defaultAction
            self.defaultErrnoRet = defaultErrnoRet
            self.architectures = architectures
            self.syscalls = syscalls
        }
    }

    public struct SeccompRule: Codable, Sendable, Equatable {
        public var names: [String]
        public var action: String
        public var errnoRet: UInt32?
        public var args: [SeccompArg]?
        public init(names: [String], action: String, errnoRet: UInt32? = nil, args: [SeccompArg]? = nil) {
            self.names = names
            self.action = action
            self.errnoRet = errnoRet
            self.args = args
        }
    }

    public struct SeccompArg: Codable, Sendable, Equatable {
        public var index: UInt32
        public var value: UInt64
        public var valueTwo: UInt64?
        /// `SCMP_CMP_EQ`, `SCMP_CMP_NE`, `SCMP_CMP_MASKED_EQ`, …
        public var op: String
        public init(index: UInt32, value: UInt64, valueTwo: UInt64? = nil, op: String) {
            self.index = index
            self.value = value
            self.valueTwo = valueTwo
            self.op = op
        }
    }
}

/// The state of a container as `runtime state` reports it (runtime-spec "State").
public struct ContainerState: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable {
        case creating, created, running, stopped, paused
    }
    public var ociVersion: String
    public var id: String
    public var status: Status
    /// The container process's pid on the host, when created or running.
    public var pid: Int32?
    /// Absolute path to the bundle.
    public var bundle: String
    public var annotations: [String: String]?

    public init(ociVersion: String = "1.2.0", id: String, status: Status, pid: Int32?, bundle: String,
                annotations: [String: String]? = nil) {
        self.ociVersion = ociVersion
        self.id = id
        self.status = status
        self.pid = pid
        self.bundle = bundle
        self.annotations = annotations
    }
}
