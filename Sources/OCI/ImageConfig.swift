/// The image configuration (image-spec `config.md`): what to run and how the layers stack.
public struct ImageConfig: Codable, Sendable, Hashable {
    /// Combined date and time the image was created, RFC 3339.
    public var created: String?
    public var author: String?
    public var architecture: String
    public var os: String
    public var variant: String?
    /// Execution parameters used as defaults when the image runs.
    public var config: RunConfig?
    /// The layer content addresses: `diff_ids` are digests of the *uncompressed* layer tars.
    public var rootfs: RootFS
    public var history: [History]?

    public init(architecture: String, os: String, config: RunConfig?, rootfs: RootFS,
                created: String? = nil, history: [History]? = nil) {
        self.architecture = architecture
        self.os = os
        self.config = config
        self.rootfs = rootfs
        self.created = created
        self.history = history
    }

    /// Defaults for the container process (`config` in the image config JSON).
    public struct RunConfig: Codable, Sendable, Hashable {
        /// `user`, `uid`, `user:group`, `uid:gid`, …
        public var User: String?
        public var ExposedPorts: [String: EmptyObject]?
        /// `NAME=value` entries.
        public var Env: [String]?
        public var Entrypoint: [String]?
        public var Cmd: [String]?
        public var Volumes: [String: EmptyObject]?
        public var WorkingDir: String?
        public var Labels: [String: String]?
        public var StopSignal: String?

        public init(User: String? = nil, ExposedPorts: [String: EmptyObject]? = nil, Env: [String]? = nil,
                    Entrypoint: [String]? = nil, Cmd: [String]? = nil, WorkingDir: String? = nil,
                    Labels: [String: String]? = nil, StopSignal: String? = nil) {
            self.User = User
            self.ExposedPorts = ExposedPorts
            self.Env = Env
            self.Entrypoint = Entrypoint
            self.Cmd = Cmd
            self.WorkingDir = WorkingDir
            self.Labels = Labels
            self.StopSignal = StopSignal
        }
    }

    public struct RootFS: Codable, Sendable, Hashable {
        /// Must be `layers`.
        public var type: String
        /// Digests of the uncompressed layer tars, base first.
        public var diff_ids: [Digest]

        public init(diffIDs: [Digest]) {
            self.type = "layers"
            self.diff_ids = diffIDs
        }
    }

    public struct History: Codable, Sendable, Hashable {
        public var created: String?
        public var created_by: String?
        public var comment: String?
        public var empty_layer: Bool?

        public init(created: String? = nil, created_by: String? = nil, comment: String? = nil, empty_layer: Bool? = nil) {
            self.created = created
            self.created_by = created_by
            self.comment = comment
            self.empty_layer = empty_layer
        }
    }
}

/// `{}`: the value type of set-like maps such as `ExposedPorts` and `Volumes`.
public struct EmptyObject: Codable, Sendable, Hashable {
    public init() {}
}
