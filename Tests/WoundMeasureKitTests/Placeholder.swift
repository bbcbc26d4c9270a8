import Testing

@Suite struct WoundMeasureKitTestsPlaceholder {
  @Test func placeholder() {}
}
