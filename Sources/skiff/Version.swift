/// The version `skiff --version` prints.
enum SkiffVersion {
    static let current = "0.1.0"
}
