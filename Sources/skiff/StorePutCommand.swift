import ArgumentParser
import KVStore

/// `skiff store put KEY VALUE`.
struct StorePut: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "put", abstract: "Write a value; prints the revision it was written at.")

    @OptionGroup var endpoint: StoreEndpointOptions

    @Argument(help: "The key.")
    var key: String

    @Argument(help: "The value.")
    var value: String

    @Flag(name: .long, help: "Also print the previous value.")
    var prevKV = false

    func validate() throws {
        if key.isEmpty { throw ValidationError("the key must not be empty") }
    }

    func run() async throws {
        let client = try endpoint.client()
        let response = try await client.put(KV.PutRequest(key: Array(key.utf8), value: Array(value.utf8), prevKV: prevKV))
        print("OK revision \(response.header?.revision ?? 0)")
        if let previous = response.prevKV {
            print(StoreOutput.text(previous.key))
            print(StoreOutput.text(previous.value))
        }
    }
}
