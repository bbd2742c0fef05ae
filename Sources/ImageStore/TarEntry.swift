/// One entry of a tar archive, after pax and GNU extension headers have been folded in.
public struct TarEntry: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case regular, hardlink, symlink, characterDevice, blockDevice, directory, fifo
    }

    /// The path as written in the archive (not yet validated or normalised).
    public var path: String
    public var kind: Kind
    /// Symlink target, or for a hardlink the archive path of the entry it links to.
    public var linkTarget: String = ""
    /// Permission bits including setuid/setgid/sticky (`0o7777`).
    public var mode: UInt32 = 0o644
    public var uid: UInt32 = 0
    public var gid: UInt32 = 0
    /// Data bytes that follow the header (regular files only carry data).
    public var size: Int64 = 0
    public var mtimeSeconds: Int64 = 0
    public var mtimeNanoseconds: Int32 = 0
    public var devMajor: UInt32 = 0
    public var devMinor: UInt32 = 0
    /// Extended attributes from pax `SCHILY.xattr.NAME` records.
    public var xattrs: [String: [UInt8]] = [:]
    /// Offset of the entry's data in the (uncompressed) archive stream.
    public var dataOffset: Int64 = 0

    public init(path: String, kind: Kind) {
        self.path = path
        self.kind = kind
    }
}
