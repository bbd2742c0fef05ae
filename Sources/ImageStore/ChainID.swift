import OCI

/// Chain IDs name a layer *together with everything below it* (image-spec `config.md`):
/// `chainID(L0) = diffID(L0)`, `chainID(Ln) = sha256(chainID(Ln-1) + " " + diffID(Ln))`.
/// A snapshot is keyed by chain ID, so two images share a snapshot exactly when they share
/// the same stack of layers up to it.
public enum ChainID {
    public static func chain(_ diffIDs: [Digest]) throws -> [Digest] {
        var out: [Digest] = []
        out.reserveCapacity(diffIDs.count)
        for d in diffIDs {
            if let last = out.last {
                out.append(try Digest.sha256(of: Array("\(last) \(d)".utf8)))
            } else {
                out.append(d)
            }
        }
        return out
    }
}
