#if canImport(Glibc)
import Glibc
#endif

/// An OCI mount's `options`, split the way mount(2) wants them: MS_* flags, propagation
/// flags applied afterwards, bind/rbind, and the rest joined as filesystem data.
struct MountOptions: Equatable {
    var flags: UInt = 0
    var propagation: UInt = 0
    /// 0: not a bind mount; 1: bind; 2: rbind.
    var bind: Int32 = 0
    var data: [String] = []

    private static let setting: [String: UInt] = [
        "ro": UInt(MS_RDONLY), "nosuid": UInt(MS_NOSUID), "nodev": UInt(MS_NODEV), "noexec": UInt(MS_NOEXEC),
        "sync": UInt(MS_SYNCHRONOUS), "dirsync": UInt(MS_DIRSYNC), "remount": UInt(MS_REMOUNT), "mand": UInt(MS_MANDLOCK),
        "noatime": UInt(MS_NOATIME), "nodiratime": UInt(MS_NODIRATIME), "relatime": UInt(MS_RELATIME),
        "strictatime": UInt(MS_STRICTATIME), "silent": UInt(MS_SILENT),
    ]
    private static let clearing: [String: UInt] = [
        "rw": UInt(MS_RDONLY), "suid": UInt(MS_NOSUID), "dev": UInt(MS_NODEV), "exec": UInt(MS_NOEXEC),
        "async": UInt(MS_SYNCHRONOUS), "nomand": UInt(MS_MANDLOCK), "atime": UInt(MS_NOATIME),
        "diratime": UInt(MS_NODIRATIME), "norelatime": UInt(MS_RELATIME), "nostrictatime": UInt(MS_STRICTATIME),
    ]
    private static let propagations: [String: UInt] = [
        "private": UInt(MS_PRIVATE), "rprivate": UInt(MS_PRIVATE | MS_REC),
        "shared": UInt(MS_SHARED), "rshared": UInt(MS_SHARED | MS_REC),
        "slave": UInt(MS_SLAVE), "rslave": UInt(MS_SLAVE | MS_REC),
        "unbindable": UInt(MS_UNBINDABLE), "runbindable": UInt(MS_UNBINDABLE | MS_REC),
    ]

    init(_ options: [String]) {
        for option in options {
            if let flag = Self.setting[option] {
                flags |= flag
            } else if let flag = Self.clearing[option] {
                flags &= ~flag
            } else if let flag = Self.propagations[option] {
                propagation = flag
            } else if option == "bind" {
                bind = max(bind, 1)
            } else if option == "rbind" {
                bind = 2
            } else if option == "defaults" || option.isEmpty {
                continue
            } else {
                data.append(option)
            }
        }
    }

    /// The propagation flags for `linux.rootfsPropagation` (`private`, `rslave`, …).
    static func propagation(_ name: String) -> UInt? {
        propagations[name]
    }
}
