import Foundation
import Testing
import OCI
@testable import Registry

/// Whether an executable is on PATH.
func toolExists(_ name: String) -> Bool {
    (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").contains {
        FileManager.default.isExecutableFile(atPath: "\($0)/\(name)")
    }
}

/// Runs a command to completion; throws with its output when it fails.
@discardableResult
func runTool(_ arguments: [String], in directory: String? = nil) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    let output = Pipe()
    process.standardOutput = output
    process.standardError = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let text = String(decoding: data, as: UTF8.self)
    guard process.terminationStatus == 0 else {
        throw TestFailure("\(arguments.joined(separator: " ")) exited \(process.terminationStatus): \(text)")
    }
    return text
}

/// Builds a two-layer OCI image layout with umoci, offline: busybox, then a file of random bytes.
func makeTestImageLayout(in directory: String) throws -> String {
    let layout = directory + "/layout"
    try runTool(["umoci", "init", "--layout", layout])
    try runTool(["umoci", "new", "--image", "\(layout):t"])
    let bundle = directory + "/bundle"
    try runTool(["umoci", "unpack", "--rootless", "--image", "\(layout):t", bundle])
    let bin = bundle + "/rootfs/bin"
    try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
    try FileManager.default.copyItem(atPath: "/bin/busybox", toPath: bin + "/busybox")
    try FileManager.default.createSymbolicLink(atPath: bin + "/sh", withDestinationPath: "busybox")
    try runTool(["umoci", "repack", "--refresh-bundle", "--image", "\(layout):t", bundle])
    try Data(randomBytes(2_000_000, seed: 99)).write(to: URL(fileURLWithPath: bundle + "/rootfs/random.bin"))
    try runTool(["umoci", "repack", "--image", "\(layout):t", bundle])
    try runTool(["umoci", "config", "--image", "\(layout):t", "--config.cmd", "/bin/sh"])
    return layout
}

@Suite("Interoperability with skopeo")
struct SkopeoInteropTests {
    @Test("skopeo pushes an OCI image and pulls it back with identical digests",
          .enabled(if: toolExists("skopeo") && toolExists("umoci") && FileManager.default.fileExists(atPath: "/bin/busybox"),
                   "needs skopeo, umoci and /bin/busybox (busybox-static)"))
    func pushAndPull() async throws {
        let work = try makeTemporaryDirectory()
        defer { removeDirectory(work) }
        let layout = try makeTestImageLayout(in: work)
        try await withRegistry { registry in
            let reference = "docker://127.0.0.1:\(registry.port)/skiff/test:1"
            try runTool(["skopeo", "copy", "-q", "--insecure-policy", "--dest-tls-verify=false", "oci:\(layout):t", reference])

            let source = try runTool(["skopeo", "inspect", "--raw", "oci:\(layout):t"])
            let served = try runTool(["skopeo", "inspect", "--raw", "--tls-verify=false", reference])
            #expect(sha256(Array(served.utf8)) == sha256(Array(source.utf8)))
            let manifest = try JSONDecoder().decode(Manifest.self, from: Data(served.utf8))
            #expect(manifest.layers.count == 2)

            let pulled = work + "/pulled"
            try runTool(["skopeo", "copy", "-q", "--insecure-policy", "--src-tls-verify=false", reference, "oci:\(pulled):t"])
            let pulledManifest = try runTool(["skopeo", "inspect", "--raw", "oci:\(pulled):t"])
            #expect(pulledManifest == source)
            let sourceBlobs = Set(filesUnder(layout + "/blobs"))
            let pulledBlobs = Set(filesUnder(pulled + "/blobs"))
            for layer in [manifest.config] + manifest.layers {
                #expect(pulledBlobs.contains("sha256/\(layer.digest.encoded)"))
                #expect(sourceBlobs.contains("sha256/\(layer.digest.encoded)"))
            }
            let tags = try runTool(["skopeo", "list-tags", "--tls-verify=false", "docker://127.0.0.1:\(registry.port)/skiff/test"])
            #expect(tags.contains("\"1\""))
        }
    }
}
