import APIModel
import Foundation

/// `GET /version`: kubectl's dispatcher reads `minor` to pick the matching kubectl build.
enum VersionEndpoint {
    static func document(_ info: VersionInfo) -> JSONValue {
        [
            "major": .string(info.major), "minor": .string(info.minor), "gitVersion": .string(info.gitVersion),
            "gitCommit": .string(info.gitCommit), "gitTreeState": "clean", "buildDate": .string(info.buildDate),
            "goVersion": "swift", "compiler": "swiftc", "platform": .string(platform),
        ]
    }

    private static var platform: String {
        #if os(Linux)
        let system = "linux"
        #else
        let system = "darwin"
        #endif
        #if arch(arm64)
        return system + "/arm64"
        #else
        return system + "/amd64"
        #endif
    }
}
