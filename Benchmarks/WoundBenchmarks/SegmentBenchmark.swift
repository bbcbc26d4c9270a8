/// Times the segment stage. Not written yet.
func runSegmentBenchmark(arguments: [String]) {
  print("segment: no benchmark yet")
}
