/// Times the calibrate stage. Not written yet.
func runCalibrateBenchmark(arguments: [String]) {
  print("calibrate: no benchmark yet")
}
