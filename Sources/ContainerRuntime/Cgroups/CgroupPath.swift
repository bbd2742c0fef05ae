/// Validates and normalises the cgroup path a caller hands in (OCI `linux.cgroupsPath`).
///
/// Paths are always taken relative to the root of each hierarchy (`/sys/fs/cgroup/<ctl>` on
/// v1, the cgroup2 mount on v2); a leading `/` is accepted and means the same thing, as in
/// runc's cgroupfs driver. `..` and empty components are refused so a config can never
/// reach outside the cgroup filesystem or above the hierarchy root.
enum CgroupPath {
    static func normalize(_ path: String) throws -> String {
        if path.utf8.contains(0) { throw CgroupError.invalidPath(path, reason: "contains a NUL byte") }
        let components = path.split(separator: "/", omittingEmptySubsequences: true)
        if components.isEmpty {
            throw CgroupError.invalidPath(path, reason: "it names the hierarchy root, which is not ours to manage")
        }
        for component in components where component == "." || component == ".." {
            throw CgroupError.invalidPath(path, reason: "\"\(component)\" components are not allowed")
        }
        return components.joined(separator: "/")
    }
}
