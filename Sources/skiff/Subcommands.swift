import ArgumentParser

/// Every subcommand of `skiff`, in the order `--help` lists them. One line per command so
/// that adding a command touches one line here and one new file.
enum SkiffSubcommands {
    static let all: [any ParsableCommand.Type] = [
        UpCommand.self,
        DownCommand.self,
        StatusCommand.self,
        ImageCommand.self,
        RegistryCommand.self,
        RuntimeCommand.self,
        ServerCommand.self,
        StoreGroup.self,
    ]
}
