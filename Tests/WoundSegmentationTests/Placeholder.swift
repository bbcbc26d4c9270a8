import Testing

@Suite struct WoundSegmentationTestsPlaceholder {
  @Test func placeholder() {}
}
