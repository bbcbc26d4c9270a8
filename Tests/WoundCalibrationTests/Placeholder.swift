import Testing

@Suite struct WoundCalibrationTestsPlaceholder {
  @Test func placeholder() {}
}
