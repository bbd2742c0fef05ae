import Foundation

/// Where kubectl reads its configuration, so that `skiff up` writes where kubectl will look.
public enum KubeconfigLocation {
    /// The file to merge into, following kubectl's rules: `$KUBECONFIG` when set (a list
    /// separated by `:`; with several files a new entry goes into the first that exists, or the
    /// last one when none exists), otherwise `$HOME/.kube/config`.
    public static func resolve(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        if let list = environment["KUBECONFIG"] {
            let files = list.split(separator: ":").map(String.init).filter { !$0.isEmpty }
            if files.count == 1 { return files[0] }
            if let last = files.last {
                return files.first { FileManager.default.fileExists(atPath: $0) } ?? last
            }
        }
        guard let home = environment["HOME"], !home.isEmpty else {
            throw PKIError.invalidInput("cannot locate the kubeconfig: neither KUBECONFIG nor HOME is set")
        }
        return (home as NSString).appendingPathComponent(".kube/config")
    }
}
