import Hummingbird
import NIOCore

/// The per-request context: Hummingbird's core storage plus the channel, which the
/// authenticator reads the peer certificate from and a watch observes to notice the client
/// leaving.
struct APIRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = CoreRequestContextStorage(source: source)
        channel = source.channel
    }
}
