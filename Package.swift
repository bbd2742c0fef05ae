// swift-tools-version:6.0
// skiff: one executable that runs a Kubernetes-compatible development cluster.
// Module layers (an import only ever points down this list; see DESIGN.md):
//   CLinuxSystem → LinuxSystem → PKI → (Raft → KVStore) · (APIModel → APIServer,
//   ClusterClient → Scheduler, Controllers) · (OCI → ImageStore → Registry, ContainerRuntime)
//   → NodeAgent → Cluster → skiff
//
// Where this differs from DESIGN.md's layout, and why:
// - The C wrappers are `CLinuxSystem`, not `CSystem`: swift-system already has a target of
//   that name and SwiftPM refuses the duplicate.
// - `PKI` is its own module below everything that serves: the apiserver (TLS, client
//   certificates), the store's peer transport and `skiff up` (kubeconfig) all need it, and
//   none of them may import another.
// - `Linearizability` and `RaftSimulation` are libraries, not test files: the Raft
//   simulation and the real-process store tests check histories with the same checker, and
//   `Scripts/sim` runs the simulation over many seeds.
// - `CZlib` exposes the system's zlib and zstd (and a few libc calls Glibc leaves out) to
//   ImageStore.
import PackageDescription

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "skiff",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "skiff", targets: ["skiff"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // MARK: OCI types
        // OCI image-spec, runtime-spec and distribution-spec types: pure Codable values.
        .target(name: "OCI", swiftSettings: strict),

        // MARK: Linux system layer
        // Thin C wrappers: the container child after clone, the monitor, libseccomp, libcap.
        .target(
            name: "CLinuxSystem",
            linkerSettings: [.linkedLibrary("seccomp"), .linkedLibrary("cap")]
        ),
        // Swift over CLinuxSystem: file descriptors, mounts, namespaces, errno as typed errors.
        .target(name: "LinuxSystem", dependencies: ["CLinuxSystem"], swiftSettings: strict),

        // MARK: Identity
        // Cluster CAs, certificates, TLS configurations, tokens and kubeconfig files.
        .target(
            name: "PKI",
            dependencies: [
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),

        // MARK: The store
        // Pure Raft consensus: no I/O, clocks or threads; imports nothing.
        .target(name: "Raft", swiftSettings: strict),
        // Linearizability checker for client histories; imports nothing.
        .target(name: "Linearizability", swiftSettings: strict),
        // Deterministic multi-node Raft simulation (seeded network, crashes, clients).
        .target(name: "RaftSimulation", dependencies: ["Raft", "Linearizability"], swiftSettings: strict),
        // The replicated store: MVCC keyspace + watches, WAL, snapshot files, the node loop
        // that drives Raft, peer transport, the etcd-shaped HTTP/JSON endpoint and the client
        // protocol.
        .target(
            name: "KVStore",
            dependencies: [
                "Raft",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),

        // MARK: The API model
        // Kubernetes object model: JSON values, schemas, registry, validation, defaulting, patches, OpenAPI.
        .target(name: "APIModel", dependencies: [.product(name: "Yams", package: "Yams")], swiftSettings: strict),

        // The apiserver: HTTPS transport, authentication, REST over the store, discovery,
        // OpenAPI, watch cache, tables, patch and apply, and the seams to the node agent.
        .target(
            name: "APIServer",
            dependencies: [
                "APIModel", "KVStore", "PKI",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdHTTP2", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),

        // MARK: The control plane loops
        // The Swift client of the API every component uses: requests over HTTPS, typed views
        // and unstructured objects, list+watch, shared informers, work queues, events, leader
        // election.
        .target(
            name: "ClusterClient",
            dependencies: [
                "APIModel", "PKI",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // A real store and apiserver in process on a loopback port, for the tests of every
        // component above the apiserver (not a fake: the same code `skiff server` runs).
        .target(
            name: "ClusterTestSupport",
            dependencies: [
                "ClusterClient", "APIServer", "APIModel", "KVStore", "PKI",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // The scheduler: queue, filter and score plugins, preemption, binding.
        .target(
            name: "Scheduler",
            dependencies: ["ClusterClient", "APIModel", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        // The controller manager: one reconciler per resource.
        .target(
            name: "Controllers",
            dependencies: ["ClusterClient", "APIModel", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),

        // MARK: Containers
        // The OCI runtime: bundles, namespaces, rootfs, cgroups (v1, v2, hybrid), seccomp,
        // capabilities, monitor, exec.
        .target(
            name: "ContainerRuntime",
            dependencies: [
                "OCI", "CLinuxSystem", "LinuxSystem",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),

        // MARK: Images and the registry
        // zlib (gzip layers) and zstd (zstd layers) from the system, via pkg-config.
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev", "libzstd-dev"])]),
        // Content store, archives (tar, gzip), layer unpack into snapshots, registry pull/push client.
        .target(
            name: "ImageStore",
            dependencies: [
                "OCI", "CZlib",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // OCI distribution-spec server (the embedded registry), stored on disk.
        .target(
            name: "Registry",
            dependencies: [
                "OCI",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "_NIOFileSystem", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),

        // MARK: The node
        // The kubelet (pod sync, probes, status, volumes, pod network through CNI, the
        // streaming server for logs/exec/attach/port-forward).
        .target(
            name: "NodeAgent",
            dependencies: [
                "ClusterClient", "APIModel", "PKI", "OCI", "ImageStore", "ContainerRuntime", "LinuxSystem", "CLinuxSystem", "CZlib",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),

        // A busybox container through the real runtime with a stream backend resolving to it:
        // shared by the streaming-server tests and the kubectl stream tests.
        .target(
            name: "StreamTestSupport",
            dependencies: ["NodeAgent", "ContainerRuntime", "OCI"],
            swiftSettings: strict
        ),

        // MARK: Composition
        // The composition root: data directory, PKI, store member and apiserver wired into
        // `skiff server` (and later the agent and `skiff up`).
        .target(
            name: "Cluster",
            dependencies: [
                "APIServer", "APIModel", "KVStore", "PKI", "ClusterClient", "Scheduler", "Controllers", "NodeAgent",
                "ImageStore", "Registry", "ContainerRuntime", "OCI",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: strict
        ),

        // MARK: The executable
        .executableTarget(
            name: "skiff",
            dependencies: [
                "OCI", "KVStore", "ContainerRuntime", "LinuxSystem", "ImageStore", "Registry", "Cluster",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),

        // MARK: Tests
        .testTarget(name: "OCITests", dependencies: ["OCI"], swiftSettings: strict),
        .testTarget(name: "RaftTests", dependencies: ["Raft", "RaftSimulation"], swiftSettings: strict),
        .testTarget(name: "LinearizabilityTests", dependencies: ["Linearizability"], swiftSettings: strict),
        .testTarget(
            name: "KVStoreTests",
            dependencies: [
                "KVStore",
                "Raft",
                "Linearizability",
                "PKI",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ImageStoreTests",
            dependencies: [
                "ImageStore", "OCI", "CZlib", "Registry",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "RegistryTests",
            dependencies: [
                "Registry",
                "OCI",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // Fixtures (captured kubectl request bodies) are read by path, not bundled as resources.
        .testTarget(name: "APIModelTests", dependencies: ["APIModel"], exclude: ["Fixtures"], swiftSettings: strict),
        .testTarget(
            name: "PKITests",
            dependencies: [
                "PKI",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strict
        ),

        .testTarget(
            name: "APIServerTests",
            dependencies: [
                "APIServer", "APIModel", "KVStore", "PKI",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // Real kubectl (1.27–1.33) and the official Python client against a live `skiff server`.
        .testTarget(
            name: "KubectlTests",
            dependencies: [
                "Cluster", "APIServer", "APIModel", "KVStore", "PKI", "NodeAgent", "ContainerRuntime", "OCI", "ClusterTestSupport",
                "StreamTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),

        // MARK: Benchmark drivers (Scripts/bench)
        // Load generator for Scripts/bench/apiserver: latency and throughput of the REST verbs
        // and watch fan-out against a live skiff apiserver.
        .executableTarget(
            name: "APIServerBench",
            dependencies: [
                "APIModel", "PKI",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strict
        ),
        // Scripts/bench/scheduler: scheduler_perf's shape (Node objects only, many pods) against
        // a live apiserver; throughput and creation→binding latency.
        .executableTarget(
            name: "SchedulerBench",
            dependencies: ["Scheduler", "ClusterClient", "ClusterTestSupport", "APIModel", "PKI",
                           .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        // Timings of APIModel's hot paths against Foundation's JSONSerialization (Scripts/bench/apimodel).
        .executableTarget(name: "APIModelBench", dependencies: ["APIModel"], swiftSettings: strict),
        .testTarget(
            name: "ClusterClientTests",
            dependencies: ["ClusterClient", "ClusterTestSupport", "APIModel", "PKI"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SchedulerTests",
            dependencies: ["Scheduler", "ClusterClient", "ClusterTestSupport", "APIModel"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ControllersTests",
            dependencies: ["Controllers", "ClusterClient", "ClusterTestSupport", "APIModel"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "NodeAgentTests",
            dependencies: ["NodeAgent", "ClusterClient", "ClusterTestSupport", "APIModel", "ContainerRuntime",
                           "ImageStore", "OCI", "LinuxSystem", "Registry", "PKI", "StreamTestSupport",
                           .product(name: "NIOCore", package: "swift-nio"),
                           .product(name: "NIOPosix", package: "swift-nio")],
            swiftSettings: strict
        ),
        // Root, real kubectl: `skiff up`, a Deployment served from the embedded registry, logs,
        // exec, port-forward, restarts, `skiff down` leaving nothing behind.
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["Cluster", "ClusterClient", "APIModel", "PKI", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ContainerRuntimeTests",
            dependencies: ["ContainerRuntime", "LinuxSystem", "OCI"],
            swiftSettings: strict
        ),
    ]
)
