// swift-tools-version:6.0
// skiff: one executable that runs a Kubernetes-compatible development cluster.
// Module layers (an import only ever points down this list; see DESIGN.md):
//   CLinuxSystem → LinuxSystem → (Raft → KVStore) · (OCI → ImageStore → Registry, ContainerRuntime) → skiff
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
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // OCI image-spec, runtime-spec and distribution-spec types: pure Codable values.
        .target(name: "OCI", swiftSettings: strict),

        // Thin C wrappers: the container child after clone, the monitor, libseccomp, libcap.
        .target(
            name: "CLinuxSystem",
            linkerSettings: [.linkedLibrary("seccomp"), .linkedLibrary("cap")]
        ),
        // Swift over CLinuxSystem: file descriptors, mounts, namespaces, errno as typed errors.
        .target(name: "LinuxSystem", dependencies: ["CLinuxSystem"], swiftSettings: strict),
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

        .executableTarget(
            name: "skiff",
            dependencies: [
                "OCI", "ContainerRuntime", "LinuxSystem",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),

        .testTarget(name: "OCITests", dependencies: ["OCI"], swiftSettings: strict),
        .testTarget(
            name: "ContainerRuntimeTests",
            dependencies: ["ContainerRuntime", "LinuxSystem", "CLinuxSystem", "OCI"],
            swiftSettings: strict
        ),
    ]
)
