import Testing

@Suite struct NodeAgentPlaceholderTests {}
