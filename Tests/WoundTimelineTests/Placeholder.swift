import Testing

@Suite struct WoundTimelineTestsPlaceholder {
  @Test func placeholder() {}
}
