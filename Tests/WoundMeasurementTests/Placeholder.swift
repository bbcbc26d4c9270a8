import Testing

@Suite struct WoundMeasurementTestsPlaceholder {
  @Test func placeholder() {}
}
