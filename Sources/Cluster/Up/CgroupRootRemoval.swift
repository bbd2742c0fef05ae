import Foundation

/// Removes the node's cgroup root (`<cgroupRoot>` in the unified hierarchy and in every v1
/// hierarchy) once the node agent has stopped every pod. Only empty cgroups can be removed
/// (rmdir fails on one that still has processes), so this never takes anything from a
/// running process; it removes the directories the pods' cgroups were created under, which
/// would otherwise stay behind after `skiff down`.
enum CgroupRootRemoval {
    /// The cgroup directories left, each one that could not be removed.
    @discardableResult
    static func remove(cgroupRoot: String, mount: String = "/sys/fs/cgroup") -> [String] {
        var roots = [mount + "/" + cgroupRoot]
        for hierarchy in (try? FileManager.default.contentsOfDirectory(atPath: mount)) ?? [] {
            roots.append(mount + "/" + hierarchy + "/" + cgroupRoot)
        }
        var left: [String] = []
        for root in roots where FileManager.default.fileExists(atPath: root) {
            removeDepthFirst(root, left: &left)
        }
        return left
    }

    static func removeDepthFirst(_ directory: String, left: inout [String]) {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for entry in entries {
            var isDirectory: ObjCBool = false
            let path = directory + "/" + entry
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                removeDepthFirst(path, left: &left)
            }
        }
        if rmdir(directory) != 0 { left.append(directory) }
    }
}
