// swift-tools-version:6.0
// skiff: one executable that runs a Kubernetes-compatible development cluster.
// Module layers (an import only ever points down this list; see DESIGN.md):
//   CSystem → LinuxSystem → (Raft → KVStore) · (OCI → ImageStore → Registry, ContainerRuntime) → skiff
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
    ],
    targets: [
        // OCI image-spec, runtime-spec and distribution-spec types: pure Codable values.
        .target(name: "OCI", swiftSettings: strict),

        .executableTarget(
            name: "skiff",
            dependencies: [
                "OCI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),

        .testTarget(name: "OCITests", dependencies: ["OCI"], swiftSettings: strict),
    ]
)
