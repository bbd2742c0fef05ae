import Foundation
import Testing
import OCI
@testable import Registry

@Suite("Manifest, tag, catalog and referrers endpoints over a live server")
struct ManifestEndpointTests {
    @Test("PUT by tag, GET/HEAD by tag and digest with the stored Content-Type")
    func putAndGet() async throws {
        try await withRegistry { registry in
            let config = Array(#"{"os":"linux"}"#.utf8)
            let layer = randomBytes(5000, seed: 2)
            let configDigest = try await registry.pushBlob("app", config)
            let layerDigest = try await registry.pushBlob("app", layer)
            let (bytes, digest) = try await registry.pushManifest("app", reference: "v1", config: configDigest,
                                                                   configSize: config.count, layers: [(layerDigest, layer.count)])
            for reference in ["v1", digest.description] {
                let get = try await registry.send(.GET, "/v2/app/manifests/\(reference)",
                                                  headers: [("Accept", MediaType.ociManifest)])
                #expect(get.status == 200)
                #expect(get.body == bytes)
                #expect(get.header("Content-Type") == MediaType.ociManifest)
                #expect(get.header("Docker-Content-Digest") == digest.description)
                let head = try await registry.send(.HEAD, "/v2/app/manifests/\(reference)")
                #expect(head.status == 200)
                #expect(head.header("Content-Length") == String(bytes.count))
                #expect(head.body.isEmpty)
            }
            let unknown = try await registry.send(.GET, "/v2/app/manifests/v2")
            #expect(unknown.status == 404)
            #expect(unknown.errorCodes == ["MANIFEST_UNKNOWN"])
            #expect(try await registry.send(.HEAD, "/v2/app/manifests/\(sha256([0]))").status == 404)
        }
    }

    @Test("Docker schema 2 manifests and lists are stored with their own media types")
    func dockerTypes() async throws {
        try await withRegistry { registry in
            let config = Array(#"{"os":"linux"}"#.utf8)
            let layer = randomBytes(100, seed: 8)
            let configDigest = try await registry.pushBlob("d", config)
            let layerDigest = try await registry.pushBlob("d", layer)
            var manifest = Manifest(mediaType: MediaType.dockerManifest,
                                    config: Descriptor(mediaType: MediaType.dockerConfig, digest: configDigest, size: Int64(config.count)),
                                    layers: [Descriptor(mediaType: MediaType.dockerLayerGzip, digest: layerDigest, size: 100)])
            manifest.mediaType = MediaType.dockerManifest
            let bytes = try encodeJSON(manifest)
            let put = try await registry.send(.PUT, "/v2/d/manifests/\(sha256(bytes))",
                                              headers: [("Content-Type", MediaType.dockerManifest)], body: bytes)
            #expect(put.status == 201)
            let list = Index(mediaType: MediaType.dockerManifestList, manifests: [
                Descriptor(mediaType: MediaType.dockerManifest, digest: sha256(bytes), size: Int64(bytes.count),
                           platform: Platform(architecture: "amd64", os: "linux")),
            ])
            let listBytes = try encodeJSON(list)
            let putList = try await registry.send(.PUT, "/v2/d/manifests/latest",
                                                  headers: [("Content-Type", MediaType.dockerManifestList)], body: listBytes)
            #expect(putList.status == 201)
            let get = try await registry.send(.GET, "/v2/d/manifests/latest")
            #expect(get.header("Content-Type") == MediaType.dockerManifestList)
            #expect(get.body == listBytes)
        }
    }

    @Test("PUT refuses bad manifests with the spec's codes")
    func putErrors() async throws {
        try await withRegistry { registry in
            let config = Array(#"{"os":"linux"}"#.utf8)
            let configDigest = try await registry.pushBlob("app", config)
            let missingLayer = sha256(randomBytes(10, seed: 1))

            let notJSON = try await registry.send(.PUT, "/v2/app/manifests/v1",
                                                  headers: [("Content-Type", MediaType.ociManifest)], body: Array("nope".utf8))
            #expect(notJSON.status == 400)
            #expect(notJSON.errorCodes == ["MANIFEST_INVALID"])

            let good = Manifest(config: Descriptor(mediaType: MediaType.ociConfig, digest: configDigest, size: Int64(config.count)),
                                layers: [])
            let goodBytes = try encodeJSON(good)
            let wrongType = try await registry.send(.PUT, "/v2/app/manifests/v1",
                                                    headers: [("Content-Type", "text/plain")], body: goodBytes)
            #expect(wrongType.status == 415)
            #expect(wrongType.errorCodes == ["UNSUPPORTED"])

            let contradicting = try await registry.send(.PUT, "/v2/app/manifests/v1",
                                                        headers: [("Content-Type", MediaType.ociIndex)], body: goodBytes)
            #expect(contradicting.errorCodes == ["MANIFEST_INVALID"])

            let missing = Manifest(config: good.config,
                                   layers: [Descriptor(mediaType: MediaType.ociLayerGzip, digest: missingLayer, size: 10)])
            let blobUnknown = try await registry.send(.PUT, "/v2/app/manifests/v1",
                                                      headers: [("Content-Type", MediaType.ociManifest)], body: try encodeJSON(missing))
            #expect(blobUnknown.status == 400)
            #expect(blobUnknown.errorCodes == ["MANIFEST_BLOB_UNKNOWN"])

            let index = Index(manifests: [Descriptor(mediaType: MediaType.ociManifest, digest: missingLayer, size: 10)])
            let indexUnknown = try await registry.send(.PUT, "/v2/app/manifests/multi",
                                                       headers: [("Content-Type", MediaType.ociIndex)], body: try encodeJSON(index))
            #expect(indexUnknown.errorCodes == ["MANIFEST_BLOB_UNKNOWN"])

            let mismatch = try await registry.send(.PUT, "/v2/app/manifests/\(missingLayer)",
                                                   headers: [("Content-Type", MediaType.ociManifest)], body: goodBytes)
            #expect(mismatch.status == 400)
            #expect(mismatch.errorCodes == ["DIGEST_INVALID"])

            let badTag = try await registry.send(.PUT, "/v2/app/manifests/-bad",
                                                  headers: [("Content-Type", MediaType.ociManifest)], body: goodBytes)
            #expect(badTag.errorCodes == ["MANIFEST_INVALID"])

            let tooLarge = try await registry.send(.PUT, "/v2/app/manifests/big", headers: [("Content-Type", MediaType.ociManifest)],
                                                   body: [UInt8](repeating: 0x20, count: RegistryResponder.maximumManifestSize + 1))
            #expect(tooLarge.status == 413)
            #expect(tooLarge.errorCodes == ["SIZE_INVALID"])

            // Nothing of the refused pushes became a tag.
            #expect(try await registry.send(.GET, "/v2/app/tags/list").decode(TagList.self).tags.isEmpty)
        }
    }

    @Test("DELETE by tag removes the tag; by digest the manifest and its tags")
    func delete() async throws {
        try await withRegistry { registry in
            let digest = try await registry.pushImage("app", tag: "a")
            let put = try await registry.send(.GET, "/v2/app/manifests/a")
            _ = try await registry.send(.PUT, "/v2/app/manifests/b", headers: [("Content-Type", MediaType.ociManifest)], body: put.body)
            #expect(try await registry.send(.DELETE, "/v2/app/manifests/a").status == 202)
            #expect(try await registry.send(.GET, "/v2/app/manifests/a").status == 404)
            #expect(try await registry.send(.GET, "/v2/app/manifests/b").status == 200)
            #expect(try await registry.send(.DELETE, "/v2/app/manifests/\(digest)").status == 202)
            #expect(try await registry.send(.GET, "/v2/app/manifests/b").errorCodes == ["MANIFEST_UNKNOWN"])
            #expect(try await registry.send(.GET, "/v2/app/manifests/\(digest)").errorCodes == ["MANIFEST_UNKNOWN"])
            #expect(try await registry.send(.DELETE, "/v2/app/manifests/\(digest)").errorCodes == ["MANIFEST_UNKNOWN"])
            #expect(try await registry.send(.GET, "/v2/app/tags/list").decode(TagList.self).tags.isEmpty)
        }
    }

    @Test("tags/list and _catalog paginate with n, last and a Link header")
    func pagination() async throws {
        try await withRegistry { registry in
            let digest = try await registry.pushImage("app", tag: "t0")
            let body = try await registry.send(.GET, "/v2/app/manifests/\(digest)").body
            let tags = ["t1", "t2", "t3", "t4", "a", "z"]
            for tag in tags {
                _ = try await registry.send(.PUT, "/v2/app/manifests/\(tag)", headers: [("Content-Type", MediaType.ociManifest)], body: body)
            }
            let all = try await registry.send(.GET, "/v2/app/tags/list").decode(TagList.self)
            #expect(all == TagList(name: "app", tags: ["a", "t0", "t1", "t2", "t3", "t4", "z"]))

            var seen: [String] = []
            var next: String? = "/v2/app/tags/list?n=3"
            while let path = next {
                let page = try await registry.send(.GET, path)
                let list = try page.decode(TagList.self)
                #expect(list.tags.count <= 3)
                seen += list.tags
                next = page.header("Link").flatMap { link in
                    link.split(separator: ">").first.map { String($0.dropFirst()) }
                }
            }
            #expect(seen == all.tags)
            let after = try await registry.send(.GET, "/v2/app/tags/list?last=t3").decode(TagList.self)
            #expect(after.tags == ["t4", "z"])
            let none = try await registry.send(.GET, "/v2/app/tags/list?n=0")
            #expect(try none.decode(TagList.self).tags.isEmpty && none.header("Link") == nil)

            for name in ["b/one", "a", "c", "b/two", "b"] { try await registry.pushBlob(name, [1]) }
            let catalog = try await registry.send(.GET, "/v2/_catalog").decode(Catalog.self)
            #expect(catalog.repositories == ["a", "app", "b", "b/one", "b/two", "c"])
            let first = try await registry.send(.GET, "/v2/_catalog?n=2")
            #expect(try first.decode(Catalog.self).repositories == ["a", "app"])
            #expect(first.header("Link") == "</v2/_catalog?n=2&last=app>; rel=\"next\"")
            let second = try await registry.send(.GET, "/v2/_catalog?n=2&last=app").decode(Catalog.self)
            #expect(second.repositories == ["b", "b/one"])
            let last = try await registry.send(.GET, "/v2/_catalog?n=2&last=b/two")
            #expect(try last.decode(Catalog.self).repositories == ["c"])
            #expect(last.header("Link") == nil)
        }
    }

    @Test("referrers list manifests by subject, filter by artifactType, and OCI-Subject is returned")
    func referrers() async throws {
        try await withRegistry { registry in
            let subjectDigest = try await registry.pushImage("app", tag: "v1")
            let subjectBytes = try await registry.send(.GET, "/v2/app/manifests/v1").body
            let subject = Descriptor(mediaType: MediaType.ociManifest, digest: subjectDigest, size: Int64(subjectBytes.count))

            let empty = Array("{}".utf8)
            let emptyDigest = try await registry.pushBlob("app", empty)
            var pushed: [Digest] = []
            for (i, type) in ["application/vnd.example.sbom", "application/vnd.example.signature", "application/vnd.example.sbom"].enumerated() {
                var manifest = Manifest(config: Descriptor(mediaType: MediaType.ociEmpty, digest: emptyDigest, size: 2), layers: [],
                                        subject: subject, annotations: ["n": "\(i)"], artifactType: type)
                manifest.mediaType = MediaType.ociManifest
                let bytes = try encodeJSON(manifest)
                let put = try await registry.send(.PUT, "/v2/app/manifests/\(sha256(bytes))",
                                                  headers: [("Content-Type", MediaType.ociManifest)], body: bytes)
                #expect(put.status == 201)
                #expect(put.header("OCI-Subject") == subjectDigest.description)
                pushed.append(sha256(bytes))
                let get = try await registry.send(.HEAD, "/v2/app/manifests/\(sha256(bytes))")
                #expect(get.header("OCI-Subject") == subjectDigest.description)
            }
            let all = try await registry.send(.GET, "/v2/app/referrers/\(subjectDigest)")
            #expect(all.status == 200)
            #expect(all.header("Content-Type") == MediaType.ociIndex)
            #expect(all.header("OCI-Filters-Applied") == nil)
            let index = try all.decode(Index.self)
            #expect(index.mediaType == MediaType.ociIndex)
            #expect(Set(index.manifests.map(\.digest)) == Set(pushed))
            #expect(index.manifests.allSatisfy { $0.mediaType == MediaType.ociManifest && $0.annotations?["n"] != nil })

            let filtered = try await registry.send(.GET, "/v2/app/referrers/\(subjectDigest)?artifactType=application/vnd.example.sbom")
            #expect(filtered.header("OCI-Filters-Applied") == "artifactType")
            let sboms = try filtered.decode(Index.self).manifests
            #expect(sboms.count == 2 && sboms.allSatisfy { $0.artifactType == "application/vnd.example.sbom" })

            // Deleting a referrer removes it from the list; an unknown subject has an empty list.
            _ = try await registry.send(.DELETE, "/v2/app/manifests/\(pushed[1])")
            let after = try await registry.send(.GET, "/v2/app/referrers/\(subjectDigest)").decode(Index.self)
            #expect(after.manifests.count == 2)
            let none = try await registry.send(.GET, "/v2/app/referrers/\(sha256([42]))")
            #expect(none.status == 200)
            #expect(try none.decode(Index.self).manifests.isEmpty)
            #expect(try await registry.send(.GET, "/v2/app/referrers/nope").errorCodes == ["DIGEST_INVALID"])
        }
    }
}
