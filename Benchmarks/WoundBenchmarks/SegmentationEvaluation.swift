import Foundation
import WoundCore
import WoundImaging
import WoundSegmentation

/// The outline's validation figures with the Swift runtime, to compare with
/// `training/evaluate_c2f.py` on the same photos.
///
///   swift run -c release WoundBenchmarks seg-eval [DATASET] [--model FILE] [--limit N] [--per-photo CSV]
///
/// DATASET (default `/work/shared/datasets/fuseg-train`) holds `images/NNNN.jpg` and
/// `masks/NNNN.png`; the validation part is the photos whose number is divisible by 5
/// (never trained on). Each photo goes through `Segmenter` as `measure` runs it
/// (no marker, no hints), once with the model's passes as shipped and once with the
/// whole-photo pass alone. Prints mean per-image Dice, pooled Dice, median and p90
/// absolute area error, and mean Dice by wound-size third. `--per-photo` writes each
/// photo's true, predicted and common pixel counts per pass, the columns of
/// `evaluate_c2f.py --per-photo`, so that the two runtimes can be compared photo by photo.
func runSegmentationEvaluation(arguments: [String]) {
  var dataset = "/work/shared/datasets/fuseg-train"
  var modelPath: String?
  var limit = 0
  var perPhotoPath: String?
  var i = 0
  while i < arguments.count {
    switch arguments[i] {
    case "--model" where i + 1 < arguments.count:
      modelPath = arguments[i + 1]
      i += 2
    case "--per-photo" where i + 1 < arguments.count:
      perPhotoPath = arguments[i + 1]
      i += 2
    case "--limit" where i + 1 < arguments.count:
      limit = Int(arguments[i + 1]) ?? 0
      i += 2
    default:
      dataset = arguments[i]
      i += 1
    }
  }
  let model: SegmentationModel
  do {
    model =
      try modelPath.map { try SegmentationModel(contentsOf: URL(fileURLWithPath: $0)) } ?? SegmentationModel.bundled()
  } catch {
    FileHandle.standardError.write(Data("seg-eval: \(error)\n".utf8))
    exit(2)
  }
  let names = ((try? FileManager.default.contentsOfDirectory(atPath: dataset + "/images")) ?? [])
    .filter { $0.hasSuffix(".jpg") && (Int($0.dropLast(4)) ?? 1) % 5 == 0 }.sorted()
  let chosen = limit > 0 ? Array(names.prefix(limit)) : names
  var passes: [(String, SegmentationModel)] = [("coarse", model.coarseOnly())]
  if model.finePass != nil { passes.append(("coarse+fine", model)) }
  print("seg-eval: \(chosen.count) validation photos of \(dataset), model \(model.fileName)")
  var perPhoto: [String: [String]] = [:]
  for (label, pass) in passes {
    var scores: [(dice: Double, truth: Int, predicted: Int, both: Int)] = []
    for name in chosen {
      do {
        let photo = try PhotoDecoder.decode(path: dataset + "/images/" + name).image
        let truthImage = try PhotoDecoder.decode(path: dataset + "/masks/" + name.dropLast(4) + ".png").image
        let result = try Segmenter.segment(image: photo, excluding: [], hints: .none, model: pass)
        var truth = 0
        var predicted = 0
        var both = 0
        for k in 0..<(photo.width * photo.height) {
          let t = truthImage.pixels[3 * k] > 127
          let p = result.mask.pixels[k] != 0
          if t { truth += 1 }
          if p { predicted += 1 }
          if t && p { both += 1 }
        }
        let dice = truth + predicted == 0 ? 1 : 2 * Double(both) / Double(truth + predicted)
        scores.append((dice, truth, predicted, both))
        perPhoto[name, default: [name, String(truth)]] += [String(predicted), String(both)]
      } catch {
        FileHandle.standardError.write(Data("seg-eval: \(name): \(error)\n".utf8))
      }
    }
    let dices = scores.map(\.dice)
    let mean = dices.reduce(0, +) / Double(max(1, dices.count))
    let both = scores.map(\.both).reduce(0, +)
    let total = scores.map { $0.truth + $0.predicted }.reduce(0, +)
    let errors = scores.filter { $0.truth > 0 }.map { abs(Double($0.predicted - $0.truth)) / Double($0.truth) * 100 }
      .sorted()
    let sizes = scores.filter { $0.truth > 0 }.map { Double($0.truth) }.sorted()
    let (c1, c2) = (quantile(sizes, 1.0 / 3), quantile(sizes, 2.0 / 3))
    func third(_ test: (Double) -> Bool) -> Double {
      let chosen = scores.filter { $0.truth > 0 && test(Double($0.truth)) }.map(\.dice)
      return chosen.reduce(0, +) / Double(max(1, chosen.count))
    }
    print(
      String(
        format: "%@: mean Dice %.4f, pooled Dice %.4f, area error median %.2f %%, p90 %.2f %%; "
          + "Dice by size small %.4f, medium %.4f, large %.4f",
        label, mean, total == 0 ? 1 : 2 * Double(both) / Double(total), quantile(errors, 0.5), quantile(errors, 0.9),
        third { $0 <= c1 }, third { $0 > c1 && $0 <= c2 }, third { $0 > c2 }))
  }
  if let perPhotoPath {
    let header = ["photo", "truth"] + passes.flatMap { ["\($0.0)_predicted", "\($0.0)_both"] }
    let rows = [header.joined(separator: ",")] + chosen.compactMap { perPhoto[$0]?.joined(separator: ",") }
    do {
      try Data((rows.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: perPhotoPath))
    } catch {
      FileHandle.standardError.write(Data("seg-eval: \(perPhotoPath): \(error)\n".utf8))
      exit(1)
    }
  }
}

/// The `q` quantile of sorted values, linear between the two nearest (numpy's default,
/// so the figures compare with `training/evaluate_c2f.py`); NaN when empty.
func quantile(_ sorted: [Double], _ q: Double) -> Double {
  guard !sorted.isEmpty else { return .nan }
  let position = q * Double(sorted.count - 1)
  let low = Int(position.rounded(.down))
  let high = min(sorted.count - 1, low + 1)
  return sorted[low] + (sorted[high] - sorted[low]) * (position - Double(low))
}
