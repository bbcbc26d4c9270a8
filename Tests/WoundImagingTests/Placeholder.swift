import Testing

@Suite struct WoundImagingTestsPlaceholder {
  @Test func placeholder() {}
}
