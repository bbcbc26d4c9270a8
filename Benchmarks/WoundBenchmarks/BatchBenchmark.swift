/// Times the batch stage. Not written yet.
func runBatchBenchmark(arguments: [String]) {
  print("batch: no benchmark yet")
}
