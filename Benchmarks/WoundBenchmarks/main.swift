// Benchmarks: each stage timed against its floor. Run with
//   swift run -c release WoundBenchmarks
print("no benchmarks yet")
