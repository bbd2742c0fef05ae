/// core/v1 volume sources. The common in-tree sources are modelled field by field; the legacy
/// cloud plugins are accepted as preserve-unknown subtrees (`.any`).
public enum VolumeSchemas {
    static let keyToPath: Schema = .obj(core("KeyToPath"), "Maps a key to a path within a volume.", [
        f("key", .str, "The key to project.", required: true),
        f("path", .str, "Relative path of the file.", required: true),
        f("mode", .int32, "File mode bits (0000-0777)."),
    ])

    static let emptyDir: Schema = .obj(core("EmptyDirVolumeSource"), "A temporary directory sharing the pod's lifetime.", [
        f("medium", .str, "\"\" (node storage) or Memory."),
        f("sizeLimit", .quantity, "Total storage allowed."),
    ])

    static let configMapVolume: Schema = .obj(core("ConfigMapVolumeSource"), "A ConfigMap's keys as files.", [
        f("name", .str, "Name of the ConfigMap."),
        f("items", .list(keyToPath), "Keys to project; all if empty."),
        f("defaultMode", .int32, "Mode bits of created files; default 0644."),
        f("optional", .bool),
    ])

    static let secretVolume: Schema = .obj(core("SecretVolumeSource"), "A Secret's keys as files.", [
        f("secretName", .str, "Name of the Secret."),
        f("items", .list(keyToPath)),
        f("defaultMode", .int32, "Mode bits of created files; default 0644."),
        f("optional", .bool),
    ])

    static let hostPath: Schema = .obj(core("HostPathVolumeSource"), "A file or directory on the host.", [
        f("path", .str, "Path on the host.", required: true),
        f("type", .str, "\"\", DirectoryOrCreate, Directory, FileOrCreate, File, Socket, CharDevice or BlockDevice."),
    ])

    static let downwardAPIVolumeFile: Schema = .obj(core("DownwardAPIVolumeFile"), "A file with pod information.", [
        f("path", .str, required: true),
        f("fieldRef", ContainerSchemas.objectFieldSelector),
        f("resourceFieldRef", ContainerSchemas.resourceFieldSelector),
        f("mode", .int32),
    ])

    static let downwardAPI: Schema = .obj(core("DownwardAPIVolumeSource"), "Pod information as files.", [
        f("items", .list(downwardAPIVolumeFile)),
        f("defaultMode", .int32),
    ])

    static let secretProjection: Schema = .obj(core("SecretProjection"), "A Secret projected into a volume.", [
        f("name", .str), f("items", .list(keyToPath)), f("optional", .bool),
    ])

    static let configMapProjection: Schema = .obj(core("ConfigMapProjection"), "A ConfigMap projected into a volume.", [
        f("name", .str), f("items", .list(keyToPath)), f("optional", .bool),
    ])

    static let downwardAPIProjection: Schema = .obj(core("DownwardAPIProjection"), "Pod information projected into a volume.", [
        f("items", .list(downwardAPIVolumeFile)),
    ])

    static let serviceAccountTokenProjection: Schema = .obj(core("ServiceAccountTokenProjection"), "A service account token projected into a volume.", [
        f("audience", .str), f("expirationSeconds", .int64), f("path", .str, required: true),
    ])

    static let volumeProjection: Schema = .obj(core("VolumeProjection"), "One source of a projected volume.", [
        f("secret", secretProjection), f("configMap", configMapProjection), f("downwardAPI", downwardAPIProjection),
        f("serviceAccountToken", serviceAccountTokenProjection), f("clusterTrustBundle", .any), f("podCertificate", .any),
    ])

    static let projected: Schema = .obj(core("ProjectedVolumeSource"), "Several sources in one directory.", [
        f("sources", .list(volumeProjection)), f("defaultMode", .int32),
    ])

    static let pvcVolume: Schema = .obj(core("PersistentVolumeClaimVolumeSource"), "A PersistentVolumeClaim in the pod's namespace.", [
        f("claimName", .str, "Name of the claim.", required: true), f("readOnly", .bool),
    ])

    static let nfs: Schema = .obj(core("NFSVolumeSource"), "An NFS mount.", [
        f("server", .str, required: true), f("path", .str, required: true), f("readOnly", .bool),
    ])

    static let csi: Schema = .obj(core("CSIVolumeSource"), "An ephemeral CSI volume.", [
        f("driver", .str, required: true), f("readOnly", .bool), f("fsType", .str),
        f("volumeAttributes", .stringMap), f("nodePublishSecretRef", ContainerSchemas.localObjectReference),
    ])

    static let imageVolume: Schema = .obj(core("ImageVolumeSource"), "An OCI image or artifact as a read-only volume.", [
        f("reference", .str), f("pullPolicy", .str),
    ])

    static let ephemeral: Schema = .obj(core("EphemeralVolumeSource"), "A volume backed by a PVC created for the pod.", [
        f("volumeClaimTemplate", .any, "Template of the PersistentVolumeClaim."),
    ])

    /// The volume source fields (a one-of), also used by PersistentVolume for its sources.
    static let legacySourceNames = [
        "awsElasticBlockStore", "gcePersistentDisk", "gitRepo", "iscsi", "glusterfs", "rbd", "flexVolume", "cinder",
        "cephfs", "flocker", "fc", "azureFile", "vsphereVolume", "quobyte", "azureDisk", "photonPersistentDisk",
        "portworxVolume", "scaleIO", "storageos", "local",
    ]

    public static let volume: Schema = .obj(core("Volume"), "A named volume in a pod that containers may mount.", [
        f("name", .str, "Name of the volume, a DNS label unique within the pod.", required: true),
        f("emptyDir", emptyDir, "A temporary directory."),
        f("configMap", configMapVolume, "A ConfigMap."),
        f("secret", secretVolume, "A Secret."),
        f("hostPath", hostPath, "A host path."),
        f("downwardAPI", downwardAPI, "Pod information."),
        f("projected", projected, "Several sources."),
        f("persistentVolumeClaim", pvcVolume, "A persistent volume claim."),
        f("nfs", nfs, "An NFS share."),
        f("csi", csi, "An ephemeral CSI volume."),
        f("ephemeral", ephemeral, "A generic ephemeral volume."),
        f("image", imageVolume, "An OCI image."),
    ] + legacySourceNames.filter { $0 != "local" }.map { f($0, .any, "Legacy volume plugin (not validated).") })
}
