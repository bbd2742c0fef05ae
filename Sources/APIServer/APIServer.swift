// APIServer: the Kubernetes API over HTTPS, backed by the replicated store.
