// Cluster: the composition root that wires the data directory, PKI, store and apiserver.
