// Benchmarks: each stage timed against its floor, as ratios measured in one run.
//
//   swift run -c release WoundBenchmarks [decode|calibrate|segment|measure|batch|tissue-eval|seg-eval|store] [options]
//
// Each stage has its own file with a `run...Benchmark(arguments:)` function.

let arguments = Array(CommandLine.arguments.dropFirst())
let stage = arguments.first ?? "all"
let rest = Array(arguments.dropFirst())
switch stage {
case "decode": runDecodeBenchmark(arguments: rest)
case "calibrate": runCalibrateBenchmark(arguments: rest)
case "segment": runSegmentBenchmark(arguments: rest)
case "measure": runMeasureBenchmark(arguments: rest)
case "batch": runBatchBenchmark(arguments: rest)
case "tissue-eval": runTissueEvaluation(arguments: rest)
case "seg-eval": runSegmentationEvaluation(arguments: rest)
case "store": runStoreBenchmark(arguments: rest)
case "all":
  runDecodeBenchmark(arguments: rest)
  runCalibrateBenchmark(arguments: rest)
  runSegmentBenchmark(arguments: rest)
  runBatchBenchmark(arguments: rest)
default:
  print("usage: WoundBenchmarks [decode|calibrate|segment|measure|batch|tissue-eval|seg-eval|store|all]")
}
