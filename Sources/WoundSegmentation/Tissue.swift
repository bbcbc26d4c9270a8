import WoundCore

// The tissue stage's public types and entry point. Signatures here are what
// the pipeline calls; keep them stable. Colour handling is in
// TissueColour.swift, the decision rule in TissueRules.swift, the masked
// smoothing and edge distances in TissueGeometry.swift.

/// The tissue classes reported inside a wound outline.
package enum TissueClass: UInt8, Sendable, Codable, CaseIterable {
  /// Outside the wound.
  case none = 0
  /// Red granulation tissue.
  case granulation = 1
  /// Yellow-white slough / fibrin.
  case slough = 2
  /// Black-brown necrosis / eschar.
  case necrosis = 3
  /// Pink epithelium (new skin), typically at the margins.
  case epithelium = 4
}

/// Colour references for normalisation, taken from the marker when one is found.
package struct ColourReference: Sendable, Equatable, Codable {
  /// Mean RGB of the marker's white border.
  package var white: [Double]
  /// Mean RGB of the marker's black square border.
  package var black: [Double]
  package init(white: [Double], black: [Double]) {
    self.white = white
    self.black = black
  }
}

/// The tissue map of one wound.
///
/// The labels are kept over the wound's bounding box only (``box``): every
/// pixel outside it is ``TissueClass/none``, so a 12-megapixel photo with a
/// small wound holds no photo-sized label buffer. ``labels`` makes the
/// photo-sized map when one is wanted (the `--tissue-out` file, evaluations).
package struct TissueMap: Sendable {
  /// The photo's width, pixels.
  package let width: Int
  /// The photo's height, pixels.
  package let height: Int
  /// The rectangle the labels cover: the wound's bounding box (empty when
  /// there is no wound, or once ``releaseLabels()`` has run).
  package private(set) var box: PixelRect
  /// One ``TissueClass`` raw value per pixel of ``box``, row-major.
  package private(set) var boxLabels: GreyImage
  package var shares: TissueShares
  /// What decided each class.
  package var provenance: TissueProvenance

  /// A map whose labels cover `box` of a `width` x `height` photo.
  /// - Precondition: `box` lies inside the photo and `boxLabels` has its size.
  package init(
    width: Int, height: Int, box: PixelRect, boxLabels: GreyImage, shares: TissueShares,
    provenance: TissueProvenance = .colourRule
  ) {
    precondition(
      box.x >= 0 && box.y >= 0 && box.maxX <= width && box.maxY <= height && boxLabels.width == box.width
        && boxLabels.height == box.height, "tissue labels \(box) do not fit a \(width)x\(height) photo")
    self.width = width
    self.height = height
    self.box = box
    self.boxLabels = boxLabels
    self.shares = shares
    self.provenance = provenance
  }

  /// The ``TissueClass`` raw value at photo pixel `(x, y)` (``TissueClass/none`` outside ``box``).
  package subscript(x: Int, y: Int) -> UInt8 {
    box.contains(column: x, row: y) ? boxLabels[x - box.x, y - box.y] : TissueClass.none.rawValue
  }

  /// The photo-sized labels: one raw value per pixel of the photo as displayed,
  /// ``TissueClass/none`` outside the wound. Made on each call.
  package var labels: GreyImage {
    var photo = GreyImage(width: width, height: height)
    photo.pixels.withUnsafeMutableBufferPointer { out in
      boxLabels.pixels.withUnsafeBufferPointer { source in
        for row in 0..<box.height {
          (out.baseAddress! + (box.y + row) * width + box.x).update(
            from: source.baseAddress! + row * box.width, count: box.width)
        }
      }
    }
    return photo
  }

  /// The 8-connected regions of the pixels labelled `tissue`, in photo pixels.
  package func regions(of tissue: TissueClass) -> MaskRegions {
    var mask = Mask(width: box.width, height: box.height)
    for i in mask.pixels.indices where boxLabels.pixels[i] == tissue.rawValue { mask.pixels[i] = 255 }
    return MaskRegions(mask: mask).placed(at: box, inWidth: width, height: height)
  }

  /// Drops the labels (once the outputs that draw them are written), keeping
  /// the shares and provenance.
  package mutating func releaseLabels() {
    box = PixelRect(x: 0, y: 0, width: 0, height: 0)
    boxLabels = GreyImage(width: 0, height: 0)
  }
}

/// Labels each wound pixel as granulation, slough, necrosis or epithelium.
///
/// With a ``TissueModel`` (the default in the pipeline), the model decides slough
/// and granulation; the colour rules decide necrosis and epithelium, only where
/// the model finds neither slough nor granulation
/// (``TissueRules/decide(slough:granulation:colourRule:)``). Without one, the
/// colour rule decides every class:
///
/// 1. Normalise: with a `ColourReference` the marker's black and white map to
///    fixed neutral levels per channel (white balance and exposure); without
///    one, grey world over the whole photo (per-channel gains, clamped).
/// 2. Smooth: each wound pixel takes the mean colour of the wound pixels in a
///    `(2r + 1)` square around it, `r` growing with the photo size
///    (``TissueRules/smoothingRadius(width:height:)``); skin outside the
///    outline never bleeds in.
/// 3. Decide (``TissueRules/classify(lab:inMarginBand:)``): dark and not red is
///    necrosis; light pink within a band along the outline's edge is
///    epithelium; otherwise a linear discriminant separates yellow-white slough
///    from red granulation. Constants are fitted on DFUTissue by
///    `training/tissue_fit.py`; see `docs/tissue.md` for the validation.
package enum TissueClassifier {
  /// Classifies every wound pixel of `image` (where `mask` is non-zero).
  ///
  /// - Parameters:
  ///   - image: the photo as displayed.
  ///   - mask: the wound, same size as `image`; non-zero means inside.
  ///   - reference: the marker's white and black, when a marker was found;
  ///     ignored when it does not hold three channels each with white at least
  ///     ``TissueColour/minimumReferenceContrast`` above black. The model sees
  ///     the photo's own colours; the reference serves the colour rules.
  ///   - model: the tissue model, or `nil` for the colour rule alone.
  ///   - crops: the model's probabilities over the outline's fine-pass crops
  ///     (``SegmentationResult/tissueCrops``), when the segmentation ran the
  ///     model there; used when they cover every mask pixel. Otherwise the
  ///     model runs on crops cut around the mask's regions.
  ///   - threads: threads the model's network may use (the same result for any number).
  /// - Returns: one ``TissueClass`` raw value per pixel of the mask's bounding
  ///   box (``TissueClass/none`` outside the mask), the class shares of the wound area (all zero for
  ///   an empty mask) and what decided them.
  /// - Throws: an error of the model's network (none for a model that loaded).
  /// - Precondition: `mask` has the size of `image` (a programmer error otherwise).
  package static func classify(
    image: RGBImage, mask: Mask, reference: ColourReference?, model: TissueModel? = nil, threads: Int = 1
  ) throws(SegmentationModelError) -> TissueMap {
    try classify(image: image, mask: BoxMask(mask), reference: reference, model: model, threads: threads)
  }

  /// ``classify(image:mask:reference:model:crops:threads:)`` of a mask kept over its box.
  package static func classify(
    image: RGBImage, mask: BoxMask, reference: ColourReference?, model: TissueModel? = nil,
    crops: [TissueCrop]? = nil, threads: Int = 1
  ) throws(SegmentationModelError) -> TissueMap {
    precondition(
      mask.width == image.width && mask.height == image.height,
      "tissue mask \(mask.width)x\(mask.height) does not match photo \(image.width)x\(image.height)")
    let provenance =
      model == nil
      ? TissueProvenance.colourRule
      : TissueProvenance(
        granulation: .model, slough: .model, necrosis: .colourRule, epithelium: .colourRule, colourRuleShare: 0)
    let wound = MaskRegions(mask: mask)
    guard let box = wound.boundingBox else {
      return TissueMap(
        width: image.width, height: image.height, box: PixelRect(x: 0, y: 0, width: 0, height: 0),
        boxLabels: GreyImage(width: 0, height: 0),
        shares: TissueShares(granulation: 0, slough: 0, necrosis: 0, epithelium: 0), provenance: provenance)
    }
    let areaPixels = wound.areaPixels
    let bandPixels = TissueRules.marginBandPixels(areaPixels: areaPixels)
    // The network first, so its buffers are freed before the labels are made.
    var learned: (slough: [Float], granulation: [Float])?
    if let model {
      if let crops, case let given = TissueModel.sample(crops, mask: mask, box: box), given.covered == areaPixels {
        learned = given.probabilities
      } else {
        learned = try model.probabilities(image: image, mask: mask, box: box, threads: threads)
      }
    }
    // The colour rules' inputs (colour correction, smoothed colours, distances to the edge)
    // only when some pixel asks for them: without the model, or where it is unsure.
    // The mask's stored pixels are read directly: `box` lies inside `mask.box`.
    let maskBox = mask.box
    var ruleAsked = true
    if let learned {
      ruleAsked = false
      mask.boxPixels.pixels.withUnsafeBufferPointer { maskPixels in
        rows: for y in box.y..<box.maxY {
          let maskRow = (y - maskBox.y) * maskBox.width - maskBox.x
          let boxRow = (y - box.y) * box.width - box.x
          for x in box.x..<box.maxX where maskPixels[maskRow + x] != 0 {
            if TissueRules.modelIsUnsure(
              slough: learned.slough[boxRow + x], granulation: learned.granulation[boxRow + x])
            {
              ruleAsked = true
              break rows
            }
          }
        }
      }
    }
    var labels = GreyImage(width: box.width, height: box.height)
    var counts = [Int](repeating: 0, count: 5)
    var ruleDecided = 0
    if let learned, !ruleAsked {
      // The model decides every pixel: bands of rows on `threads` threads, their
      // counts added in order.
      let parts = Parallel.parts(threads: threads, items: box.height, work: 4 * box.width * box.height)
      var bandCounts = [[Int]](repeating: [0, 0, 0, 0, 0], count: parts)
      mask.boxPixels.pixels.withUnsafeBufferPointer { maskPixels in
        learned.slough.withUnsafeBufferPointer { slough in
          learned.granulation.withUnsafeBufferPointer { granulation in
            labels.pixels.withUnsafeMutableBufferPointer { labels in
              bandCounts.withUnsafeMutableBufferPointer { bandCounts in
                Parallel.run(parts) { part in
                  var tally = [0, 0, 0, 0, 0]
                  for y in Parallel.range(part, of: parts, items: box.height, granule: 1).map({ box.y + $0 }) {
                    let maskRow = (y - maskBox.y) * maskBox.width - maskBox.x
                    let boxRow = (y - box.y) * box.width - box.x
                    for x in box.x..<box.maxX where maskPixels[maskRow + x] != 0 {
                      let tissue: TissueClass = slough[boxRow + x] > granulation[boxRow + x] ? .slough : .granulation
                      labels[boxRow + x] = tissue.rawValue
                      tally[Int(tissue.rawValue)] += 1
                    }
                  }
                  bandCounts[part] = tally
                }
              }
            }
          }
        }
      }
      for tally in bandCounts { for c in counts.indices { counts[c] += tally[c] } }
    } else {
      let correction = TissueColour.Correction(image: image, reference: reference)
      let radius = TissueRules.smoothingRadius(width: image.width, height: image.height)
      var smoothed = TissueGeometry.MaskedBoxMeans(image: image, mask: mask, box: box, radius: radius)
      let chamfer = TissueGeometry.edgeChamfer(mask: mask, box: box)
      let maskPixels = mask.boxPixels.pixels
      for y in box.y..<box.maxY {
        smoothed.moveTo(row: y)
        let maskRow = (y - maskBox.y) * maskBox.width - maskBox.x
        for x in box.x..<box.maxX where maskPixels[maskRow + x] != 0 {
          let inBox = (y - box.y) * box.width + (x - box.x)
          // The smoothed colour is worked out only where a colour rule decides.
          func colourRule() -> TissueClass {
            let rgb = correction.apply(smoothed.mean(atX: x))
            let lab = TissueColour.lab(red: rgb.red, green: rgb.green, blue: rgb.blue)
            return TissueRules.classify(lab: lab, inMarginBand: Double(chamfer[inBox]) / 3 <= bandPixels)
          }
          let tissue: TissueClass
          if let learned {
            let (decided, byModel) = TissueRules.decide(
              slough: learned.slough[inBox], granulation: learned.granulation[inBox], colourRule: colourRule())
            tissue = decided
            if !byModel { ruleDecided += 1 }
          } else {
            tissue = colourRule()
          }
          labels.pixels[inBox] = tissue.rawValue
          counts[Int(tissue.rawValue)] += 1
        }
      }
    }
    let total = Double(areaPixels)
    let shares = TissueShares(
      granulation: Double(counts[Int(TissueClass.granulation.rawValue)]) / total,
      slough: Double(counts[Int(TissueClass.slough.rawValue)]) / total,
      necrosis: Double(counts[Int(TissueClass.necrosis.rawValue)]) / total,
      epithelium: Double(counts[Int(TissueClass.epithelium.rawValue)]) / total)
    var decidedBy = provenance
    if model != nil { decidedBy.colourRuleShare = Double(ruleDecided) / total }
    return TissueMap(
      width: image.width, height: image.height, box: box, boxLabels: labels, shares: shares, provenance: decidedBy)
  }
}
