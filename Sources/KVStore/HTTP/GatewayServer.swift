import Hummingbird
import HummingbirdTLS
import Logging
import NIOSSL
import ServiceLifecycle

/// The member's HTTP/JSON client endpoint as a runnable service: plain HTTP for an
/// `http://` listen URL, HTTPS with `tls` for an `https://` one.
public enum GatewayServer {
    public static func application(
        store: any KeyValueStore, admin: any StoreAdministration, host: String, port: Int,
        tls: TLSConfiguration?, logger: Logger
    ) throws -> any Service {
        let router = GatewayRoutes.router(store: store, admin: admin, logger: logger)
        let configuration = ApplicationConfiguration(address: .hostname(host, port: port), serverName: nil)
        guard let tls else {
            return Application(router: router, configuration: configuration, logger: logger)
        }
        return Application(
            router: router, server: try .tls(.http1(), tlsConfiguration: tls), configuration: configuration,
            logger: logger)
    }
}
