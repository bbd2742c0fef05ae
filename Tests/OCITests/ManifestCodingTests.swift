import Foundation
import Testing
@testable import OCI

@Suite struct ManifestCodingTests {
    let h = String(repeating: "1", count: 64)

    @Test func decodesDockerManifestListAndPicksPlatform() throws {
        let json = """
        {"schemaVersion":2,"mediaType":"\(MediaType.dockerManifestList)","manifests":[
          {"mediaType":"\(MediaType.dockerManifest)","digest":"sha256:\(String(repeating: "2", count: 64))","size":10,
           "platform":{"architecture":"arm64","os":"linux","variant":"v8"}},
          {"mediaType":"\(MediaType.dockerManifest)","digest":"sha256:\(h)","size":11,
           "platform":{"architecture":"amd64","os":"linux"}}]}
        """
        let index = try JSONDecoder().decode(Index.self, from: Data(json.utf8))
        let amd = try #require(index.manifest(for: Platform(architecture: "amd64", os: "linux")))
        #expect(amd.size == 11)
        let envelope = try JSONDecoder().decode(ManifestEnvelope.self, from: Data(json.utf8))
        #expect(envelope.isIndex)
    }

    @Test func manifestRoundTripKeepsFields() throws {
        let config = Descriptor(mediaType: MediaType.ociConfig, digest: try Digest(parsing: "sha256:\(h)"), size: 3)
        let m = Manifest(config: config, layers: [config], annotations: ["a": "b"])
        let again = try JSONDecoder().decode(Manifest.self, from: JSONEncoder().encode(m))
        #expect(again == m)
        #expect(MediaType.layerCompression(MediaType.dockerLayerGzip) == .gzip)
        #expect(MediaType.layerCompression(MediaType.ociConfig) == nil)
    }

    @Test func platformUsesDottedKeys() throws {
        let json = #"{"architecture":"amd64","os":"windows","os.version":"10.0"}"#
        let p = try JSONDecoder().decode(Platform.self, from: Data(json.utf8))
        #expect(p.osVersion == "10.0")
    }

    @Test func distributionErrorStatuses() {
        #expect(DistributionErrorCode.blobUnknown.httpStatus == 404)
        #expect(DistributionErrorCode.digestInvalid.httpStatus == 400)
        #expect(DistributionErrorCode.unsupported.httpStatus == 415)
    }
}
