import Testing

@Suite struct ControllersPlaceholderTests {}
