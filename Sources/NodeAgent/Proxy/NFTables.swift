import Foundation

/// Runs `nft` (from the distribution's nftables package) with a script on stdin.
public enum NFTables {
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var message: String
        public var description: String { "nft: \(message)" }
    }

    static let candidates = ["/usr/sbin/nft", "/sbin/nft", "/usr/bin/nft"]

    public static var path: String? { candidates.first { FileManager.default.isExecutableFile(atPath: $0) } }

    /// Applies `script` as one transaction; a refused script changes nothing.
    public static func apply(_ script: String) throws {
        try run(["-f", "-"], input: script)
    }

    /// Deletes `table` if it exists.
    public static func deleteTable(_ table: String) {
        _ = try? run(["-f", "-"], input: "add table ip \(table)\ndelete table ip \(table)\n")
    }

    public static func tableExists(_ table: String) -> Bool {
        (try? run(["list", "table", "ip", table], input: nil)) != nil
    }

    @discardableResult
    static func run(_ arguments: [String], input: String?) throws -> String {
        guard let nft = path else { throw Failure(message: "nft is not installed (apt-get install nftables)") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: nft)
        process.arguments = arguments
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try? stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(message: String(decoding: errors, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return String(decoding: output, as: UTF8.self)
    }
}
