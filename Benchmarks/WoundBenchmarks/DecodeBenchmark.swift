/// Times the decode stage. Not written yet.
func runDecodeBenchmark(arguments: [String]) {
  print("decode: no benchmark yet")
}
