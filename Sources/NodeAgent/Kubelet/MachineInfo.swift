#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Foundation
import LinuxSystem

/// What the node is made of, read from the machine: the Node's capacity and nodeInfo.
struct MachineInfo: Sendable, Equatable {
    var cpus: Int
    var memoryBytes: Int64
    var ephemeralStorageBytes: Int64
    var kernelVersion: String
    var osImage: String
    /// Kubernetes' architecture names (`amd64`, `arm64`, …).
    var architecture: String
    var machineID: String
    var bootID: String

    static func read(dataDirectory: String) -> MachineInfo {
        let status = (try? Files.readString("/proc/self/status")) ?? nil
        let cpus = status.flatMap(Self.allowedCPUs) ?? max(Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))), 1)
        let meminfo = ((try? Files.readString("/proc/meminfo")) ?? nil) ?? ""
        var name = utsname()
        uname(&name)
        let release = withUnsafeBytes(of: &name.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let machine = withUnsafeBytes(of: &name.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return MachineInfo(
            cpus: cpus, memoryBytes: Self.memTotal(meminfo) ?? 0,
            ephemeralStorageBytes: Self.filesystemSize(dataDirectory) ?? 0,
            kernelVersion: release, osImage: Self.osImage(((try? Files.readString("/etc/os-release")) ?? nil) ?? ""),
            architecture: Self.kubernetesArchitecture(machine),
            machineID: (((try? Files.readString("/etc/machine-id")) ?? nil) ?? "").trimmingCharacters(in: .whitespacesAndNewlines),
            bootID: (((try? Files.readString("/proc/sys/kernel/random/boot_id")) ?? nil) ?? "").trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// The CPUs this process may run on (`Cpus_allowed_list: 0-3,6`), what sched_getaffinity reports.
    static func allowedCPUs(_ status: String) -> Int? {
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed_list:") }) else { return nil }
        var count = 0
        for range in line.dropFirst("Cpus_allowed_list:".count).trimmingCharacters(in: .whitespaces).split(separator: ",") {
            let bounds = range.split(separator: "-").compactMap { Int($0) }
            if bounds.count == 2 { count += bounds[1] - bounds[0] + 1 } else if bounds.count == 1 { count += 1 }
        }
        return count > 0 ? count : nil
    }

    /// `MemTotal:  16318460 kB` in bytes.
    static func memTotal(_ meminfo: String) -> Int64? {
        guard let line = meminfo.split(separator: "\n").first(where: { $0.hasPrefix("MemTotal:") }) else { return nil }
        let fields = line.split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count >= 2, let kilobytes = Int64(fields[1]) else { return nil }
        return kilobytes * 1024
    }

    /// The size of the filesystem holding `path` (the nearest existing ancestor).
    static func filesystemSize(_ path: String) -> Int64? {
        var candidate = path
        while !candidate.isEmpty && !Files.exists(candidate) {
            candidate = (candidate as NSString).deletingLastPathComponent
        }
        var stats = statvfs()
        guard statvfs(candidate.isEmpty ? "/" : candidate, &stats) == 0 else { return nil }
        return Int64(stats.f_blocks) * Int64(stats.f_frsize)
    }

    /// Used and total bytes of the filesystem holding `path`.
    static func filesystemUsage(_ path: String) -> (used: Int64, total: Int64)? {
        var stats = statvfs()
        guard statvfs(path, &stats) == 0 else { return nil }
        let total = Int64(stats.f_blocks) * Int64(stats.f_frsize)
        let available = Int64(stats.f_bavail) * Int64(stats.f_frsize)
        return (total - available, total)
    }

    static func osImage(_ osRelease: String) -> String {
        for line in osRelease.split(separator: "\n") where line.hasPrefix("PRETTY_NAME=") {
            return String(line.dropFirst("PRETTY_NAME=".count)).trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
        }
        return "Linux"
    }

    static func kubernetesArchitecture(_ machine: String) -> String {
        switch machine {
        case "x86_64": return "amd64"
        case "aarch64", "arm64": return "arm64"
        case "armv7l", "armv6l": return "arm"
        case "ppc64le": return "ppc64le"
        case "s390x": return "s390x"
        case "riscv64": return "riscv64"
        default: return machine
        }
    }
}
