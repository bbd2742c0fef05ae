/// A snapshot of a cgroup's accounting, in the same units on every backend (bytes, nanoseconds).
/// Each section is `nil` when the hierarchy has no such controller for this cgroup (e.g. the
/// controller-less cgroup2 of a hybrid host).
public struct CgroupStats: Sendable, Equatable {
    public struct Memory: Sendable, Equatable {
        /// Bytes currently charged (v1 `memory.usage_in_bytes`, v2 `memory.current`).
        public var usage: UInt64
        /// The hard limit in bytes; `nil` when unlimited.
        public var limit: UInt64?
        /// Highest usage seen (v1 `memory.max_usage_in_bytes`, v2 `memory.peak`, kernel ≥ 5.19); `nil` if unknown.
        public var maxUsage: UInt64?
        /// Times the OOM killer killed a task in this cgroup.
        public var oomKills: UInt64?

        public init(usage: UInt64, limit: UInt64?, maxUsage: UInt64?, oomKills: UInt64?) {
            self.usage = usage
            self.limit = limit
            self.maxUsage = maxUsage
            self.oomKills = oomKills
        }
    }

    public struct CPU: Sendable, Equatable {
        /// Total CPU time consumed by all tasks, in nanoseconds.
        public var usageTotal: UInt64
        /// Time in user mode, nanoseconds.
        public var usageUser: UInt64
        /// Time in kernel mode, nanoseconds.
        public var usageSystem: UInt64
        /// CFS enforcement periods that elapsed while the cgroup had runnable tasks.
        public var periods: UInt64
        /// Periods in which the cgroup ran out of quota.
        public var throttledPeriods: UInt64
        /// Total time tasks were throttled, nanoseconds.
        public var throttledTime: UInt64

        public init(usageTotal: UInt64, usageUser: UInt64, usageSystem: UInt64,
                    periods: UInt64, throttledPeriods: UInt64, throttledTime: UInt64) {
            self.usageTotal = usageTotal
            self.usageUser = usageUser
            self.usageSystem = usageSystem
            self.periods = periods
            self.throttledPeriods = throttledPeriods
            self.throttledTime = throttledTime
        }
    }

    public struct Pids: Sendable, Equatable {
        /// Tasks (threads included) in the cgroup and its descendants.
        public var current: UInt64
        /// The limit; `nil` when unlimited (`max`).
        public var limit: UInt64?

        public init(current: UInt64, limit: UInt64?) {
            self.current = current
            self.limit = limit
        }
    }

    public var memory: Memory?
    public var cpu: CPU?
    public var pids: Pids?

    public init(memory: Memory? = nil, cpu: CPU? = nil, pids: Pids? = nil) {
        self.memory = memory
        self.cpu = cpu
        self.pids = pids
    }
}
