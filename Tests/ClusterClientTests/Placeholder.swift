import Testing

@Suite struct ClusterClientPlaceholderTests {}
