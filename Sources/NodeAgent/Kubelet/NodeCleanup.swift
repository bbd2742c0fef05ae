#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import ContainerRuntime
import Foundation
import LinuxSystem
import Logging

/// Offline removal of everything the agent put on the machine, for `skiff down`: containers
/// (from the runtime's state directory), sandboxes and the bridge (the sandbox manager's own
/// clean-up), mounts left under the data directory (volumes), and the pod cgroups.
enum NodeCleanup {
    static func run(configuration: KubeletConfiguration, logger: Logger) async throws {
        let layout = KubeletLayout(root: configuration.dataDirectory)
        var firstError: (any Error)?
        let cgroups = try? makeCgroupManager()
        let runtime = Runtime(root: layout.runtimeState, cgroups: cgroups)
        try? await Blocking.run {
            for info in runtime.list() {
                try? runtime.kill(id: info.record.id, signal: SIGKILL, all: true)
            }
            for info in runtime.list() {
                do { try runtime.delete(id: info.record.id, force: true) } catch {
                    logger.warning("deleting container \(info.record.id): \(error)")
                }
            }
        }
        do {
            try await CNIPodSandboxes.cleanUpNode(configuration: configuration, logger: logger)
        } catch {
            logger.warning("cleaning up sandboxes: \(error)")
            firstError = error
        }
        unmountEverything(under: configuration.dataDirectory, logger: logger)
        if let cgroups {
            let root = (configuration.cgroupRoot.isEmpty ? "" : configuration.cgroupRoot + "/") + "kubepods"
            do { try cgroups.destroy(path: root) } catch {
                logger.warning("removing pod cgroups under \(root): \(error)")
                firstError = firstError ?? error
            }
        }
        try? Files.removeTree(layout.pods)
        if let firstError { throw firstError }
    }

    /// Unmounts (lazily, deepest first) every mount point below `directory`.
    static func unmountEverything(under directory: String, logger: Logger) {
        guard let mountinfo = (try? Files.readString("/proc/self/mountinfo")) ?? nil else { return }
        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        let points = mountinfo.split(separator: "\n").compactMap { line -> String? in
            let fields = line.split(separator: " ")
            guard fields.count > 4 else { return nil }
            let point = String(fields[4]).replacingOccurrences(of: "\\040", with: " ")
            return point.hasPrefix(prefix) ? point : nil
        }
        for point in points.sorted(by: { $0.count > $1.count }) {
            if umount2(point, Int32(MNT_DETACH)) != 0 && errno != EINVAL && errno != ENOENT {
                logger.warning("unmounting \(point): \(String(cString: strerror(errno)))")
            }
        }
    }
}
