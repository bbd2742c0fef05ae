import Foundation
import Raft

/// Builds a new member's data directory from a `skiff store snapshot save` image, as
/// `etcdctl snapshot restore` does: the keyspace of the image, a fresh membership from
/// `--initial-cluster`. Restore every founding member of the new cluster from the same image.
public enum StoreRestore {
    public static func restore(imageFile: URL, configuration: NodeConfiguration) throws {
        try configuration.validate()
        let directory = configuration.dataDirectory
        if let contents = try? FileManager.default.contentsOfDirectory(atPath: directory.path), !contents.isEmpty {
            throw NodeError.invalidConfiguration("data directory \(directory.path) is not empty; restore only into a new directory")
        }
        guard let data = FileManager.default.contents(atPath: imageFile.path) else {
            throw NodeError.io(operation: "read", path: imageFile.path, detail: "cannot read the snapshot file")
        }
        let keySpace = try StoreSnapshotImage.decode([UInt8](data), file: imageFile.path)
        // Refuse an image whose keyspace does not decode before writing anything.
        _ = try MVCCStore.restore(from: keySpace)

        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var members = MemberTable()
        for (name, address) in configuration.initialCluster {
            let id = MemberID.derive(name: name, clusterToken: configuration.clusterToken)
            members.members[id] = MemberInfo(id: id, name: name, peerURL: address.description)
        }
        let id = MemberID.derive(name: configuration.name, clusterToken: configuration.clusterToken)
        let storage = try DiskRaftStorage(directory: directory.path)
        let snapshot = Snapshot(
            metadata: SnapshotMetadata(index: 1, term: 1, confState: ConfState(voters: members.members.keys.sorted())),
            data: NodeSnapshotData.encode(members: members, keySpace: keySpace))
        try storage.applySnapshot(snapshot)
        try storage.save(hardState: HardState(term: 1, vote: 0, commit: 1), entries: [], sync: true)
        try members.save(to: directory.appendingPathComponent("members.json"))
        try NodeIdentity(id: id, name: configuration.name, clusterToken: configuration.clusterToken, joined: false)
            .save(to: directory.appendingPathComponent("member.json"))
    }
}
