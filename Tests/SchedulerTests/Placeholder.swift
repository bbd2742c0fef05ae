import Testing

@Suite struct SchedulerPlaceholderTests {}
