import APIModel
import ClusterClient
import Logging
import Synchronization

/// The node's view of Services: one pair of informers (Services, EndpointSlices) feeding both
/// the cluster DNS table and the nftables service proxy. Changes are coalesced for a few
/// milliseconds, then both are rebuilt from the caches — the proxy applies only the delta.
public final class ServiceNetworking: Sendable {
    let nodeName: String
    let domain: String
    let services: SharedInformer
    let slices: SharedInformer
    let proxy: ServiceProxy?
    let logger: Logger
    let currentTable: Mutex<ClusterDNSTable>
    let changes: AsyncStream<Void>
    let signal: AsyncStream<Void>.Continuation

    /// `proxy` nil runs DNS only (a node without nftables, or tests).
    public init(nodeName: String, informers: InformerFactory, proxy: ServiceProxy?, domain: String = "cluster.local",
                logger: Logger = Logger(label: "skiff.services")) {
        self.nodeName = nodeName
        self.domain = domain
        self.services = informers.informer(for: .services)
        self.slices = informers.informer(for: .endpointSlices)
        self.proxy = proxy
        self.logger = logger
        self.currentTable = Mutex(ClusterDNSTable(domain: domain))
        (changes, signal) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let signal = self.signal
        let handler = InformerHandler(onAdd: { _ in signal.yield() }, onUpdate: { _, _ in signal.yield() },
                                      onDelete: { _ in signal.yield() })
        services.addHandler(handler)
        slices.addHandler(handler)
        slices.addIndex("service") { slice in
            guard let name = slice.labels[ServiceObjects.serviceNameLabel] else { return [] }
            return ["\(slice.namespace ?? "")/\(name)"]
        }
    }

    /// The DNS table as of the last rebuild (what the DNS server answers from).
    public var table: ClusterDNSTable { currentTable.withLock { $0 } }

    /// Rebuilds on every change until cancelled (the informers are run by their factory).
    public func run() async {
        await services.waitForSync()
        await slices.waitForSync()
        signal.yield()
        for await _ in changes {
            try? await Task.sleep(for: .milliseconds(10))
            rebuild()
        }
    }

    func rebuild() {
        var dns: [DNSService] = []
        var proxied: [ProxyService] = []
        for service in services.list() {
            let serviceSlices = slices.byIndex("service", service.key)
            dns.append(ServiceObjects.dnsService(service, slices: serviceSlices))
            if let proxiedService = ServiceObjects.proxyService(service, slices: serviceSlices, nodeName: nodeName) {
                proxied.append(proxiedService)
            }
        }
        let table = ClusterDNSTable.build(services: dns, domain: domain)
        currentTable.withLock { $0 = table }
        guard let proxy else { return }
        do {
            try proxy.sync(proxied)
        } catch {
            logger.error("service rules not applied (retried on the next change): \(error)")
        }
    }

    /// Stops signalling (the run loop ends).
    public func finish() { signal.finish() }
}
