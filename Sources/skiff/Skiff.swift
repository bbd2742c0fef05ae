import ArgumentParser

/// The `skiff` command: one executable for the whole cluster. Each subcommand lives in its
/// own file and only parses flags; behaviour lives in the library modules.
@main
struct Skiff: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "skiff",
        abstract: "A Kubernetes-compatible development cluster in one executable.",
        discussion: """
            skiff embeds a Raft-replicated store, the Kubernetes API, the scheduler and
            controllers, a node agent, a container runtime and an OCI registry.

            Examples:
              skiff image load Images/out/busybox.oci.tar
              skiff registry --listen 127.0.0.1:5000 --root /var/lib/skiff/registry
            """,
        version: SkiffVersion.current,
        subcommands: SkiffSubcommands.all
    )
}
