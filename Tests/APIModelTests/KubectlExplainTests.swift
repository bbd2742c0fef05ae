import Foundation
import Testing

@testable import APIModel

/// Runs the real `kubectl explain` against the generated discovery and OpenAPI v3 documents,
/// served as static files by a throwaway HTTP server on 127.0.0.1. This proves kubectl can
/// parse and walk what the apiserver will serve, without needing the apiserver.
@Suite("kubectl explain against the generated documents", .serialized)
struct KubectlExplainTests {
    static let kubectlPath: String? = {
        for path in ["/usr/bin/kubectl", "/usr/local/bin/kubectl"] where FileManager.default.isExecutableFile(atPath: path) {
            return path
        }
        return nil
    }()

    static let python3Available = FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")
        || FileManager.default.isExecutableFile(atPath: "/usr/local/bin/python3")

    /// Serves `<dir>/<path with / replaced by _>.json` for each GET, ignoring the query; 404 otherwise.
    static let serverScript = """
        import http.server, os, signal, sys, threading
        # The test runner may spawn us with SIGTERM blocked; unblock it, and never outlive 5 minutes.
        signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
        threading.Timer(300, lambda: os._exit(0)).start()
        root = sys.argv[1]
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                name = self.path.split('?')[0].strip('/').replace('/', '_') or 'root'
                file = os.path.join(root, name + '.json')
                if not os.path.exists(file):
                    body = b'{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","reason":"NotFound","code":404}'
                    self.send_response(404)
                else:
                    body = open(file, 'rb').read()
                    self.send_response(200)
                self.send_header('Content-Type', 'application/json')
                self.send_header('Content-Length', str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            def do_PATCH(self):
                self.record()
            def do_POST(self):
                self.record()
            def record(self):
                # Log writes (method, URL, content type, body) and answer with the stored object.
                import json
                length = int(self.headers.get('Content-Length', '0'))
                body = self.rfile.read(length).decode()
                with open(os.path.join(root, 'requests.log'), 'a') as log:
                    log.write(json.dumps({'method': self.command, 'path': self.path,
                                          'contentType': self.headers.get('Content-Type', ''), 'body': body}) + '\\n')
                self.do_GET()
            def log_message(self, *args):
                pass
        server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        with open(os.path.join(root, 'port.tmp'), 'w') as f:
            f.write(str(server.server_address[1]))
        os.rename(os.path.join(root, 'port.tmp'), os.path.join(root, 'port'))
        server.serve_forever()
        """

    struct Server {
        let process: Process
        let port: Int
        let dir: URL
    }

    static func startServer(extraFiles: [String: JSONValue] = [:]) throws -> Server {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("apimodel-kubectl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        func write(_ path: String, _ value: JSONValue) throws {
            try Data(value.encoded()).write(to: dir.appendingPathComponent(path.replacingOccurrences(of: "/", with: "_") + ".json"))
        }
        func write(_ path: String, _ bytes: [UInt8]) throws {
            try Data(bytes).write(to: dir.appendingPathComponent(path.replacingOccurrences(of: "/", with: "_") + ".json"))
        }
        try write("version", ["major": "1", "minor": "32", "gitVersion": "v1.32.4", "platform": "linux/amd64"])
        try write("api", Discovery.apiVersions(serverAddress: "127.0.0.1"))
        try write("apis", Discovery.apiGroupList())
        for gv in ResourceRegistry.groupVersions {
            try write(gv.openAPIPath, Discovery.apiResourceList(gv))
            try write("openapi/v3/" + gv.openAPIPath, try #require(OpenAPIDocuments.shared.document(path: gv.openAPIPath)))
        }
        try write("openapi/v3", OpenAPIDocuments.shared.root)
        for (path, value) in extraFiles { try write(path, value) }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", serverScript, dir.path]
        FileManager.default.createFile(atPath: dir.appendingPathComponent("server.log").path, contents: nil)
        let serverLog = try FileHandle(forWritingTo: dir.appendingPathComponent("server.log"))
        process.standardOutput = serverLog
        process.standardError = serverLog
        try process.run()
        // The server writes its port to a file once it listens (atomically, by rename).
        var port: Int?
        for _ in 0..<200 {
            if let text = try? String(contentsOf: dir.appendingPathComponent("port"), encoding: .utf8), let p = Int(text) {
                port = p
                break
            }
            if !process.isRunning { break }
            usleep(50_000)
        }
        guard let port else {
            kill(process.processIdentifier, SIGKILL)
            let log = (try? String(contentsOf: dir.appendingPathComponent("server.log"), encoding: .utf8)) ?? ""
            throw PatchError("static server did not report a port: \(log)")
        }
        let kubeconfig = """
            apiVersion: v1
            kind: Config
            clusters: [{name: local, cluster: {server: "http://127.0.0.1:\(port)"}}]
            users: [{name: anonymous, user: {}}]
            contexts: [{name: local, context: {cluster: local, user: anonymous}}]
            current-context: local
            """
        try Data(kubeconfig.utf8).write(to: dir.appendingPathComponent("kubeconfig"))
        return Server(process: process, port: port, dir: dir)
    }

    static func stop(_ server: Server) {
        // SIGKILL: a signal mask inherited from the test runner cannot block it.
        kill(server.process.processIdentifier, SIGKILL)
        server.process.waitUntilExit()
        try? FileManager.default.removeItem(at: server.dir)
    }

    static func kubectl(_ server: Server, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(Self.kubectlPath))
        process.arguments = ["--kubeconfig", server.dir.appendingPathComponent("kubeconfig").path, "--request-timeout=20s"] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = server.dir.path  // a fresh discovery cache
        process.environment = environment
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test(.enabled(if: kubectlPath != nil && python3Available, "needs kubectl and python3"))
    func explainPodContainersAndDeploymentPorts() throws {
        let server = try Self.startServer()
        defer { Self.stop(server) }

        let containers = try Self.kubectl(server, ["explain", "pods.spec.containers"])
        #expect(containers.status == 0, "\(containers.output)")
        #expect(containers.output.contains("KIND:"), "\(containers.output)")
        #expect(containers.output.contains("Pod"))
        #expect(containers.output.contains("The containers of the pod; at least one."))
        #expect(containers.output.contains("image\t<string>") || containers.output.contains("image <string>") || containers.output.contains("image\t"), "\(containers.output)")
        #expect(containers.output.contains("A single application container to run within a pod."))

        // Short name from discovery, a path through the pod template, an int-or-string field.
        let ports = try Self.kubectl(server, ["explain", "deploy.spec.strategy.rollingUpdate.maxSurge"])
        #expect(ports.status == 0, "\(ports.output)")
        #expect(ports.output.contains("Pods that may be created above replicas; default 25%."), "\(ports.output)")

        let recursive = try Self.kubectl(server, ["explain", "cj.spec.jobTemplate.spec.template.spec", "--recursive"])
        #expect(recursive.status == 0, "\(recursive.output)")
        #expect(recursive.output.contains("livenessProbe"), "\(recursive.output)")
    }
}
