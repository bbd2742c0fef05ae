#if canImport(Glibc)
import Glibc
#endif
import Foundation
@testable import ImageStore

/// A free TCP port on 127.0.0.1 (bound once to port 0, then released).
func freeLoopbackPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    addr.sin_port = 0
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    let rc = withUnsafeMutablePointer(to: &addr) { p in
        p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
    }
    guard rc else { throw ImageStoreError.system(operation: "bind 127.0.0.1:0", errno: errno) }
    return Int(UInt16(bigEndian: addr.sin_port))
}

/// Whether something accepts TCP connections on 127.0.0.1:`port`.
func canConnect(_ port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    addr.sin_port = in_port_t(UInt16(port).bigEndian)
    return withUnsafePointer(to: &addr) { p in
        p.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
    }
}

/// A child process ended (and reaped) by `stop()`.
final class ChildProcess {
    let process = Process()
    let logPath: String
    init(_ argv: [String], log: String) throws {
        logPath = log
        process.executableURL = URL(fileURLWithPath: argv[0])
        process.arguments = Array(argv.dropFirst())
        FileManager.default.createFile(atPath: log, contents: nil)
        let h = FileHandle(forWritingAtPath: log)
        process.standardOutput = h
        process.standardError = h
        try process.run()
    }
    /// Waits (bounded) until `port` accepts connections.
    func waitForPort(_ port: Int) throws {
        for _ in 0..<400 {
            if canConnect(port) { return }
            if !process.isRunning { break }
            usleep(25_000)
        }
        let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        throw ImageStoreError.registry("process \(process.executableURL?.path ?? "") did not listen on \(port): \(log)")
    }
    /// SIGTERM, then SIGKILL if it is still there after 3 s (a child may inherit a signal
    /// mask with SIGTERM blocked from the test runner's threads).
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        for _ in 0..<60 where process.isRunning { usleep(50_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}

/// A real `docker-registry` (distribution) on a random loopback port, filesystem storage in a
/// temp directory. No system service is touched.
final class DockerRegistry {
    let port: Int
    let child: ChildProcess
    var host: String { "127.0.0.1:\(port)" }

    init(in tmp: TempDir) throws {
        port = try freeLoopbackPort()
        let storage = tmp.sub("registry-storage")
        let config = """
            version: 0.1
            log:
              level: warn
            storage:
              filesystem:
                rootdirectory: \(storage)
              delete:
                enabled: true
            http:
              addr: 127.0.0.1:\(port)
            """
        let configPath = "\(tmp.path)/registry.yml"
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        child = try ChildProcess(["/usr/bin/docker-registry", "serve", configPath], log: "\(tmp.path)/registry.log")
        do { try child.waitForPort(port) } catch { child.stop(); throw error }
    }

    func stop() { child.stop() }
}

/// A token server and authenticating proxy in front of a registry, as Docker Hub works:
/// `/v2/…` without a bearer token gets `401` + `WWW-Authenticate: Bearer realm=…`; `/token`
/// hands out tokens; authorised requests are forwarded. With `truncate`, the first full GET of
/// each blob sends half its body and drops the connection (to exercise resume). Every request
/// is logged as `METHOD PATH range=… auth=yes|no`.
final class TokenProxy {
    let port: Int
    let child: ChildProcess
    let requestLog: String
    var host: String { "127.0.0.1:\(port)" }

    static let script = #"""
    import http.client, http.server, json, signal, sys, threading

    signal.pthread_sigmask(signal.SIG_SETMASK, [])  # the runner's blocked signals must not stick

    backend, port, log_path, truncate = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4] == "1"
    lock = threading.Lock()
    truncated = set()
    issued = set()

    def log(line):
        with lock:
            with open(log_path, "a") as f:
                f.write(line + "\n")

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        def log_message(self, *a): pass

        def handle_any(self):
            auth = self.headers.get("Authorization", "")
            log("%s %s range=%s auth=%s" % (self.command, self.path, self.headers.get("Range", "-"), "yes" if auth else "no"))
            if self.path.startswith("/token"):
                tok = "tok-%d" % len(issued)
                issued.add(tok)
                body = json.dumps({"token": tok}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            length = int(self.headers.get("Content-Length", "0") or "0")
            body = self.rfile.read(length) if length else None
            if not auth.startswith("Bearer ") or auth[7:] not in issued:
                parts = self.path.split("/")
                repo = "/".join(parts[2:-2]) if len(parts) > 4 else "x"
                challenge = 'Bearer realm="http://127.0.0.1:%d/token",service="skiff-test",scope="repository:%s:pull,push"' % (port, repo)
                self.send_response(401)
                self.send_header("WWW-Authenticate", challenge)
                self.send_header("Content-Type", "application/json")
                msg = b'{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}'
                self.send_header("Content-Length", str(len(msg)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(msg)
                return
            conn = http.client.HTTPConnection(backend)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("authorization", "connection")}  # Host kept: upload Locations must point back here
            conn.request(self.command, self.path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            cut = (truncate and self.command == "GET" and "/blobs/sha256:" in self.path and resp.status == 200
                   and self.path not in truncated and len(data) > 64)
            self.send_response(resp.status)
            for k, v in resp.getheaders():
                if k.lower() not in ("connection", "transfer-encoding", "content-length"):
                    self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            if cut:
                truncated.add(self.path)
                self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data[: len(data) // 2] if cut else data)
            if cut:
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(2)

        do_GET = do_HEAD = do_PUT = do_POST = do_PATCH = do_DELETE = handle_any

    http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
    """#

    init(in tmp: TempDir, backend: String, truncate: Bool) throws {
        port = try freeLoopbackPort()
        let scriptPath = "\(tmp.path)/token-proxy.py"
        try Self.script.write(toFile: scriptPath, atomically: true, encoding: .utf8)
        requestLog = "\(tmp.path)/proxy-requests.log"
        FileManager.default.createFile(atPath: requestLog, contents: nil)
        let python = ["/usr/bin/python3", "/usr/local/bin/python3"].first { FileManager.default.isExecutableFile(atPath: $0) } ?? "/usr/bin/python3"
        child = try ChildProcess([python, scriptPath, backend, String(port), requestLog, truncate ? "1" : "0"],
                                 log: "\(tmp.path)/proxy.log")
        do { try child.waitForPort(port) } catch { child.stop(); throw error }
    }

    var requests: [String] {
        ((try? String(contentsOfFile: requestLog, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    func stop() { child.stop() }
}
