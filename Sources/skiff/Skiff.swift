import ArgumentParser

/// The `skiff` command: one executable for the whole cluster. Each subcommand lives in its
/// own file and only parses flags; behaviour lives in the library modules. The entry point
/// is in `main.swift`.
struct Skiff: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "skiff",
        abstract: "A Kubernetes-compatible development cluster in one executable.",
        discussion: """
            skiff embeds a Raft-replicated store, the Kubernetes API, the scheduler and
            controllers, a node agent, a container runtime and an OCI registry. 'skiff up'
            starts all of it as one single-node cluster in the background; each part also
            runs alone.

            Examples:
              skiff up && kubectl get nodes
              skiff status
              skiff down --purge
              skiff image build --layer rootfs/ --config image.json --tag app:v1 --output app.oci.tar
              skiff image load Images/out/busybox.oci.tar
              skiff image pull --plain-http 127.0.0.1:5000/busybox:latest
              skiff registry --listen 127.0.0.1:5000 --root /var/lib/skiff/default/registry
              skiff runtime spec && skiff runtime run --bundle . demo
              skiff store run --name n1 --data-dir /var/lib/skiff/default/store --initial-cluster n1=127.0.0.1:2380
              skiff store put greeting hello && skiff store get greeting

            Run 'skiff help <subcommand>' for each command's flags and more examples.
            """,
        version: SkiffVersion.current,
        subcommands: SkiffSubcommands.all
    )
}
