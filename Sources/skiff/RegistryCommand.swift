import ArgumentParser
import Registry

/// `skiff registry`: the embedded OCI registry on its own, in the foreground.
struct RegistryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "registry",
        abstract: "Run the OCI registry (distribution-spec v1.1) alone, in the foreground.",
        discussion: """
            Serves plain HTTP; push and pull with any OCI client, e.g.
              skopeo copy --dest-tls-verify=false oci:layout:tag docker://127.0.0.1:5000/app:tag
            Stops gracefully on SIGINT or SIGTERM. Everything pushed is kept under --root.
            """
    )

    @Option(help: "Address to listen on, HOST:PORT (port 0 picks a free port).")
    var listen = "127.0.0.1:5000"

    @Option(help: "Directory holding the registry's blobs, manifests and tags.")
    var root = "/var/lib/skiff/registry"

    func validate() throws {
        _ = try ListenAddress(listen)
        guard !root.isEmpty else { throw ValidationError("--root must name a directory") }
    }

    func run() async throws {
        let address = try ListenAddress(listen)
        try await RegistryService(root: root, host: address.host, port: address.port).runUntilSignalled()
    }
}

/// `HOST:PORT`, with IPv6 hosts in brackets (`[::1]:5000`).
struct ListenAddress {
    var host: String
    var port: Int

    init(_ value: String) throws {
        guard let colon = value.lastIndex(of: ":") else {
            throw ValidationError("--listen \(value): expected HOST:PORT, e.g. 127.0.0.1:5000")
        }
        var host = String(value[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, let port = Int(value[value.index(after: colon)...]), (0...65535).contains(port) else {
            throw ValidationError("--listen \(value): expected HOST:PORT with a port from 0 to 65535")
        }
        self.host = host
        self.port = port
    }
}
