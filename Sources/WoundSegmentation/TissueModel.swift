import FoundationEssentials
import WoundCore

/// The learned tissue model: the outline network's architecture with a head of
/// four classes (background, slough, granulation, callus), trained on
/// DFUTissue (`training/tissue_train.py`, `docs/tissue.md`).
///
/// It runs on square crops around the wound, cut by the rule its file states
/// (`finePass` in the header: margin factor, smallest side, crop size), exactly
/// as the outline's fine pass cuts them (``FinePass``), and its class
/// probabilities are sampled back bilinearly at every wound pixel. In the
/// pipeline it runs on the fine pass's own crops, joined to the outline
/// network (``FinePassTissue``); on a given outline, on crops around its regions.
package struct TissueModel: Sendable {
  /// The resource name of the tissue model shipped with the package.
  package static let bundledResourceName = "wound-tissue.wmseg"
  /// The classes, in the order of the network's output channels.
  package static let classNames = ["background", "slough", "granulation", "callus"]

  /// The network (its file bytes identify the model: hash them).
  package let network: SegmentationModel
  /// How the crops it sees are cut.
  package let cropRule: FinePassRule

  /// Checks that `network` is a tissue model: a softmax over ``classNames``
  /// with a crop rule.
  ///
  /// - Throws: ``SegmentationModelError/notAClassModel(file:)`` for an outline
  ///   model, ``SegmentationModelError/unexpectedClasses(file:expected:found:)``
  ///   for other classes, ``SegmentationModelError/invalidHeader(file:reason:)``
  ///   without a crop rule.
  package init(network: SegmentationModel) throws(SegmentationModelError) {
    guard case .classes(let names) = network.output else { throw .notAClassModel(file: network.fileName) }
    guard names == Self.classNames else {
      throw .unexpectedClasses(file: network.fileName, expected: Self.classNames, found: names)
    }
    guard let rule = network.finePass else {
      throw .invalidHeader(file: network.fileName, reason: "a tissue model needs 'finePass', the rule of its crops")
    }
    self.network = network
    self.cropRule = rule
  }

  /// Reads the tissue model file at `url` (see ``SegmentationModel/init(contentsOf:)``).
  package init(contentsOf url: URL) throws(SegmentationModelError) {
    try self.init(network: SegmentationModel(contentsOf: url))
  }

  /// Loads the tissue model shipped with the package (`Resources/wound-tissue.wmseg`).
  package static func bundled() throws(SegmentationModelError) -> TissueModel {
    guard let url = SegmentationModel.bundledURL(named: bundledResourceName) else {
      throw .resourceMissing(name: SegmentationModel.bundledPath(named: bundledResourceName))
    }
    return try TissueModel(contentsOf: url)
  }

  /// Slough and granulation probabilities of every mask pixel inside `box`, row-major over
  /// the box (`box.width * box.height` each; pixels outside the mask are left at 0).
  ///
  /// One crop per 8-connected region of the mask, merged where they overlap (``FinePass/crops(boxes:rule:)``).
  /// With `threads > 1` the network's layers share out their work; the
  /// probabilities are the same bits for any number of threads.
  func probabilities(image: RGBImage, mask: BoxMask, box: PixelRect, threads: Int = 1) throws(SegmentationModelError)
    -> (slough: [Float], granulation: [Float])
  {
    let regionBoxes = MaskRegions(mask: mask, window: box).regions.map(\.boundingBox)
    let size = cropRule.cropSizePixels
    var crops: [TissueCrop] = []
    for crop in FinePass.crops(boxes: regionBoxes, rule: cropRule) {
      let input = FinePass.input(
        image: image, crop: crop, size: size, subtract: network.normalizeSubtract, divide: network.normalizeDivide,
        threads: threads)
      let p = try network.classProbabilities(normalizedInput: input, width: size, height: size, threads: threads)
      crops.append(TissueCrop(crop: crop, size: size, probabilities: p))
    }
    KeptArena.release()
    return Self.sample(crops, mask: mask, box: box, threads: threads).probabilities
  }

  /// Whether `crops` cover every set pixel of `mask`, so that the classifier samples
  /// the classes from them (``TissueClassifier/classify(image:mask:reference:model:crops:threads:)``).
  package static func cropsCover(_ crops: [TissueCrop], mask: BoxMask) -> Bool {
    let wound = MaskRegions(mask: mask)
    guard let box = wound.boundingBox else { return true }
    return sample(crops, mask: mask, box: box).covered == wound.areaPixels
  }

  /// The slough and granulation probabilities of every mask pixel inside `box`, sampled
  /// bilinearly from the crops that cover it (as ``probabilities(image:mask:box:threads:)``
  /// returns them), and how many mask pixels the crops covered (those they miss are left at 0).
  ///
  /// - Precondition: the crops do not overlap (``FinePass/crops(boxes:rule:)`` merges them).
  static func sample(_ crops: [TissueCrop], mask: BoxMask, box: PixelRect, threads: Int = 1)
    -> (probabilities: (slough: [Float], granulation: [Float]), covered: Int)
  {
    var slough = [Float](repeating: 0, count: box.width * box.height)
    var granulation = slough
    var covered = 0
    let maskBox = mask.box
    mask.boxPixels.pixels.withUnsafeBufferPointer { maskPixels in
      slough.withUnsafeMutableBufferPointer { slough in
        granulation.withUnsafeMutableBufferPointer { granulation in
          for tissueCrop in crops {
            let plane = tissueCrop.size * tissueCrop.size
            let area = tissueCrop.crop.pixels(clippedTo: box.intersection(maskBox))
            guard !area.isEmpty else { continue }
            // Bands of rows on `threads` threads: each pixel is sampled alone, and
            // the bands' counts are added in order.
            let parts = Parallel.parts(threads: threads, items: area.height, work: 16 * area.width * area.height)
            var counts = [Int](repeating: 0, count: parts)
            tissueCrop.probabilities.withUnsafeBufferPointer { p in
              counts.withUnsafeMutableBufferPointer { counts in
                Parallel.run(parts) { part in
                  let rows = Parallel.range(part, of: parts, items: area.height, granule: 1)
                  let band = PixelRect(x: area.x, y: area.y + rows.lowerBound, width: area.width, height: rows.count)
                  var count = 0
                  FinePass.sample(crop: tissueCrop.crop, size: tissueCrop.size, area: band) { x, y, taps in
                    guard maskPixels[(y - maskBox.y) * maskBox.width + (x - maskBox.x)] != 0 else { return }
                    let i = (y - box.y) * box.width + (x - box.x)
                    slough[i] = taps.interpolate(p, offset: plane)
                    granulation[i] = taps.interpolate(p, offset: 2 * plane)
                    count += 1
                  }
                  counts[part] = count
                }
              }
            }
            covered += counts.reduce(0, +)
          }
        }
      }
    }
    return ((slough, granulation), covered)
  }

}
