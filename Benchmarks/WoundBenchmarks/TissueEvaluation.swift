import Foundation
import WoundCore
import WoundImaging
import WoundSegmentation

/// Evaluates the tissue classifier on DFUTissue's labelled photos.
///
///   swift run WoundBenchmarks tissue-eval [DATASET] [--half fit|eval|all]
///
/// DATASET (default `/work/shared/datasets/dfutissue-trainval`) holds
/// `images/NNNN.jpg` and `labels/NNNN.png` (0 background, 1 fibrin, 2
/// granulation, 3 callus); DFUTissue: Dhar M. K. et al., "Wound Tissue
/// Segmentation in Diabetic Foot Ulcer Images Using Deep Learning: A Pilot
/// Study", arXiv 2406.16012, 2024. The photos, sorted by name, split in two
/// fixed halves: the first fits the colour rule (`training/tissue_fit.py`)
/// and trains the tissue model (`training/tissue_train.py`), the second
/// (`--half eval`, the default) is reported. Both methods are measured side by
/// side: the colour rule alone (the classifier before the model) and the
/// bundled tissue model with the colour rules where it finds neither slough
/// nor granulation. A third block gives the model's figures when its classes
/// are sampled from the outline's fine-pass crops of the photo, as in the
/// pipeline (the photo segmented by the bundled outline model; where those
/// crops miss part of the true wound, the classifier cuts crops of its own).
///
/// The classifier runs without a colour reference (the photos carry no
/// marker) on the true wound, fibrin plus granulation, and is scored there:
/// per-class IoU of slough against fibrin and of granulation against
/// granulation (pooled over the photos, and the mean over photos where the
/// class occurs in truth or prediction), the shares of wound pixels it calls
/// necrosis or epithelium (neither is labelled), and the mean absolute error
/// of the granulation share per photo. A second pass adds the callus ring to
/// the mask and reports which classes callus receives.
func runTissueEvaluation(arguments: [String]) {
  var dataset = "/work/shared/datasets/dfutissue-trainval"
  var half = "eval"
  var i = 0
  while i < arguments.count {
    if arguments[i] == "--half", i + 1 < arguments.count {
      half = arguments[i + 1]
      i += 2
    } else {
      dataset = arguments[i]
      i += 1
    }
  }
  guard ["fit", "eval", "all"].contains(half) else {
    tissueEvaluationFail("tissue-eval: --half must be fit, eval or all, not \(half)\n", status: 2)
  }
  let names: [String]
  do {
    names = try FileManager.default.contentsOfDirectory(atPath: dataset + "/images")
      .filter { $0.hasSuffix(".jpg") }.map { String($0.dropLast(4)) }.sorted()
  } catch {
    tissueEvaluationFail("tissue-eval: cannot list \(dataset)/images: \(error)\n")
  }
  let fitCount = names.count / 2
  let selected: ArraySlice<String> =
    switch half {
    case "fit": names[..<fitCount]
    case "eval": names[fitCount...]
    default: names[...]
    }
  guard let first = selected.first, let last = selected.last else {
    tissueEvaluationFail("tissue-eval: no photos in \(dataset)/images\n")
  }
  print("tissue-eval: \(dataset), \(half) half: \(selected.count) photos, \(first)..\(last)")

  let model: TissueModel
  do {
    model = try TissueModel.bundled()
  } catch {
    tissueEvaluationFail("tissue-eval: \(error)\n")
  }
  let outline: SegmentationModel
  do {
    outline = try SegmentationModel.bundled()
  } catch {
    tissueEvaluationFail("tissue-eval: \(error)\n")
  }
  var figures = [
    TissueFigures(name: "colour rule (before)", model: nil), TissueFigures(name: "tissue model", model: model),
    TissueFigures(
      name: "tissue model on the outline's fine-pass crops", model: model,
      finePass: FinePassTissue(outline: outline, tissue: model).map { (outline, $0) }),
  ]
  for name in selected {
    let image: RGBImage
    let truth: [UInt8]
    do {
      image = try PhotoDecoder.decode(path: "\(dataset)/images/\(name).jpg").image
      let labels = try PhotoDecoder.decode(path: "\(dataset)/labels/\(name).png").image
      guard labels.width == image.width, labels.height == image.height else {
        tissueEvaluationFail(
          "tissue-eval: \(name): labels \(labels.width)x\(labels.height), photo \(image.width)x\(image.height)\n")
      }
      truth = stride(from: 0, to: labels.pixels.count, by: 3).map { labels.pixels[$0] }
      if let bad = truth.first(where: { $0 > 3 }) {
        tissueEvaluationFail("tissue-eval: \(name): label value \(bad) is not 0...3\n")
      }
    } catch {
      tissueEvaluationFail("tissue-eval: \(error)\n")
    }
    for i in figures.indices {
      do {
        try figures[i].add(image: image, truth: truth)
      } catch {
        tissueEvaluationFail("tissue-eval: \(name): \(error)\n")
      }
    }
  }
  for figure in figures { figure.report(photos: selected.count) }
}

/// The figures of one method over the photos: pooled confusion counts
/// (`[true class][predicted class]` over wound pixels, true 1 and 2, and callus
/// pixels, true 3, from a second pass with callus added to the mask), per-photo
/// IoUs and share errors.
private struct TissueFigures {
  var name: String
  var model: TissueModel?
  var confusion = [[Int]](repeating: [Int](repeating: 0, count: 5), count: 4)
  var perPhotoIoU: [TissueClass: [Double]] = [.slough: [], .granulation: []]
  var shareErrors: [TissueClass: [Double]] = [.slough: [], .granulation: []]
  var colourRuleShares: [Double] = []
  var seconds = 0.0
  /// The outline model and the tissue model joined to its fine pass: the
  /// classes are then sampled from the fine pass's crops of the photo (where
  /// they cover the whole true wound; the photos where they do are counted).
  var finePass: (outline: SegmentationModel, tissue: FinePassTissue)?
  var covered = 0

  init(name: String, model: TissueModel?, finePass: (outline: SegmentationModel, tissue: FinePassTissue)? = nil) {
    self.name = name
    self.model = model
    self.finePass = finePass
  }

  mutating func add(image: RGBImage, truth: [UInt8]) throws {
    // Pass 1: the true wound (fibrin and granulation).
    let wound = Mask(width: image.width, height: image.height, pixels: truth.map { $0 == 1 || $0 == 2 ? 255 : 0 })
    let clock = ContinuousClock()
    var crops: [TissueCrop]?
    if let finePass {
      crops =
        try Segmenter.segment(
          image: image, excluding: [], hints: .none, model: finePass.outline, tissue: finePass.tissue
        ).tissueCrops ?? []
      if TissueModel.cropsCover(crops!, mask: BoxMask(wound)) { covered += 1 }
    }
    let start = clock.now
    let map = try TissueClassifier.classify(
      image: image, mask: BoxMask(wound), reference: nil, model: model, crops: crops)
    seconds += (clock.now - start) / .seconds(1)
    var photo = [[Int]](repeating: [Int](repeating: 0, count: 5), count: 4)
    for (t, p) in zip(truth, map.labels.pixels) where t == 1 || t == 2 {
      photo[Int(t)][Int(p)] += 1
    }
    for t in 1...2 {
      for p in 0..<5 { confusion[t][p] += photo[t][p] }
    }
    let woundPixels = photo[1].reduce(0, +) + photo[2].reduce(0, +)
    for (tissue, labelled) in [(TissueClass.slough, 1), (.granulation, 2)] {
      let predicted = Int(tissue.rawValue)
      let intersection = photo[labelled][predicted]
      let union = photo[labelled].reduce(0, +) + photo[1][predicted] + photo[2][predicted] - intersection
      if union > 0 { perPhotoIoU[tissue, default: []].append(Double(intersection) / Double(union)) }
      if woundPixels > 0 {
        let trueShare = Double(photo[labelled].reduce(0, +)) / Double(woundPixels)
        let share = tissue == .slough ? map.shares.slough : map.shares.granulation
        shareErrors[tissue, default: []].append(abs(share - trueShare))
      }
    }
    if woundPixels > 0 { colourRuleShares.append(map.provenance.colourRuleShare) }

    // Pass 2: wound plus callus; what the classifier calls callus.
    let withCallus = Mask(width: image.width, height: image.height, pixels: truth.map { $0 != 0 ? 255 : 0 })
    let callusMap = try TissueClassifier.classify(
      image: image, mask: BoxMask(withCallus), reference: nil, model: model, crops: crops)
    for (t, p) in zip(truth, callusMap.labels.pixels) where t == 3 {
      confusion[3][Int(p)] += 1
    }
  }

  func report(photos: Int) {
    func pooledIoU(_ tissue: TissueClass, labelled: Int) -> Double {
      let p = Int(tissue.rawValue)
      let intersection = confusion[labelled][p]
      let union = confusion[labelled].reduce(0, +) + confusion[1][p] + confusion[2][p] - intersection
      return Double(intersection) / Double(max(1, union))
    }
    func format(_ x: Double) -> String { String(format: "%.3f", x) }
    func mean(_ xs: [Double]) -> Double { xs.isEmpty ? .nan : xs.reduce(0, +) / Double(xs.count) }
    let woundTotal = Double(confusion[1].reduce(0, +) + confusion[2].reduce(0, +))
    func share(of tissue: TissueClass) -> Double {
      Double(confusion[1][Int(tissue.rawValue)] + confusion[2][Int(tissue.rawValue)]) / max(1, woundTotal)
    }
    print("\n\(name)")
    if finePass != nil {
      print("photos whose true wound the fine-pass crops cover: \(covered) of \(photos) (the others: crops of its own)")
    }
    print("wound pixels (fibrin + granulation): \(Int(woundTotal)), callus pixels: \(confusion[3].reduce(0, +))")
    print(
      "IoU granulation: pooled \(format(pooledIoU(.granulation, labelled: 2))), "
        + "mean over \(perPhotoIoU[.granulation]!.count) photos \(format(mean(perPhotoIoU[.granulation]!)))")
    print(
      "IoU slough vs fibrin: pooled \(format(pooledIoU(.slough, labelled: 1))), "
        + "mean over \(perPhotoIoU[.slough]!.count) photos \(format(mean(perPhotoIoU[.slough]!)))")
    print(
      "share, mean absolute error per photo (\(shareErrors[.granulation]!.count) photos): granulation "
        + "\(format(mean(shareErrors[.granulation]!))), slough \(format(mean(shareErrors[.slough]!)))")
    print(
      "wound pixels called necrosis \(format(share(of: .necrosis))), epithelium \(format(share(of: .epithelium)))"
        + "; decided by the colour rule, mean per photo \(format(mean(colourRuleShares)))")
    let names5 = ["none", "granulation", "slough", "necrosis", "epithelium"]
    for (t, label) in [(1, "fibrin"), (2, "granulation"), (3, "callus")] {
      let total = Double(max(1, confusion[t].reduce(0, +)))
      let row = (1..<5).map { "\(names5[$0]) \(format(Double(confusion[t][$0]) / total))" }.joined(separator: ", ")
      print("  true \(label) -> \(row)")
    }
    print("classification time: \(String(format: "%.1f", seconds * 1000)) ms for \(photos) photos (pass 1)")
  }
}

/// Writes `message` to standard error and exits with `status`.
private func tissueEvaluationFail(_ message: String, status: Int32 = 1) -> Never {
  FileHandle.standardError.write(Data(message.utf8))
  exit(status)
}
