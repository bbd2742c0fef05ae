/// Image references as a node reports them and as pods name them differ in spelling
/// (`nginx` versus `docker.io/library/nginx:latest`); both are brought to the full form so
/// image locality can compare them.
enum ImageNames {
    static func normalize(_ reference: String) -> String {
        var name = reference
        let lastComponent = name.split(separator: "/").last.map(String.init) ?? name
        if !name.contains("@") && !lastComponent.contains(":") { name += ":latest" }
        let parts = name.split(separator: "/", maxSplits: 1).map(String.init)
        let hasRegistry = parts.count == 2 && (parts[0].contains(".") || parts[0].contains(":") || parts[0] == "localhost")
        if hasRegistry { return name }
        if parts.count == 1 { return "docker.io/library/" + name }
        return "docker.io/" + name
    }
}
