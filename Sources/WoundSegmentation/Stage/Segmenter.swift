import WoundCore

/// The segmentation stage: finds the wound in a photo.
///
/// 1. **Working resolution.** The photo is shrunk by the smallest integer
///    factor `f` that brings its long side to at most
///    ``workingLongSidePixels`` (block averaging, see ``AreaDownscaler``),
///    then padded by repeating its last column and row up to a multiple of
///    the model's size multiple (32). A 4000 x 3000 photo gives `f = 13` and
///    308 x 231 cells, run as 320 x 256. The network was trained on 512 x 512
///    close-ups shrunk to 256, so a wound filling a close-up appears at the
///    scale it was trained on.
/// 2. **Network.** One pass gives a wound probability per cell.
/// 3. **Regions.** Cells whose centre lies in an excluded polygon (the
///    calibration marker with its white border) or outside the region of
///    interest are cleared; the rest are wound where the probability exceeds
///    ``probabilityThreshold``. 8-connected regions smaller than the speck
///    limit are dropped (see ``minimumRegionCells``). With a seed, only the
///    region containing the seed, or else the nearest region, is kept; a seed
///    farther than ``seedDistanceLimitPixels(width:height:)`` from every region
///    is refused.
/// 4. **Outline.** Inside each kept region's bounding box (grown by one cell),
///    the probabilities are sampled bilinearly at every photo pixel's centre
///    and thresholded again, so the outline follows the photo's resolution
///    without evaluating the whole frame. Excluded polygons and the region of
///    interest are applied again pixel by pixel, and the speck rule and the
///    seed once more on the final regions, in photo pixels.
///
/// With a model whose file carries a fine pass (``SegmentationModel/finePass``),
/// step 4 segments each kept region again in its own crop instead
/// (``FinePass``, `docs/segmentation.md#coarse-to-fine`).
///
/// The result is a pure function of the pixels, the polygons, the hints and
/// the model: every step is deterministic.
package enum Segmenter {
  /// The longest side of the working image, in cells, before padding.
  package static let workingLongSidePixels = 320
  /// A cell or pixel is wound when its probability is strictly above this.
  package static let probabilityThreshold: Float = 0.5
  /// Speck rule: a region is dropped when it covers fewer than this many
  /// working cells (fewer than `minimumRegionCells * f * f` pixels at photo
  /// resolution), or less than ``minimumRegionFractionOfLargest`` of the
  /// largest region's area. The region holding the seed is never dropped.
  package static let minimumRegionCells = 4
  /// See ``minimumRegionCells``.
  package static let minimumRegionFractionOfLargest = 0.001

  /// Finds the wound regions of a photo.
  ///
  /// - Parameters:
  ///   - image: The photo as displayed (EXIF orientation applied).
  ///   - excluding: Polygons (vertices in displayed-photo pixels, pixel
  ///     centres at integer coordinates) that can never be wound, such as the
  ///     calibration marker's outline with its white border.
  ///   - hints: An optional region of interest and seed point.
  ///   - model: The segmentation network.
  ///   - threads: How many threads the network's convolutions may share their
  ///     work between (``Parallel``); the result is the same bits for any number.
  /// - Returns: The full-resolution mask, its regions (largest first) and the
  ///   working-resolution probabilities. A photo without a wound gives an
  ///   empty mask and no regions.
  /// - Throws: ``SegmentationError/emptyImage(width:height:)``,
  ///   ``SegmentationError/regionOfInterestOutsideImage(_:imageWidth:imageHeight:)``,
  ///   ``SegmentationError/seedOutside(_:area:)``, or
  ///   ``SegmentationError/model(_:)`` when the model cannot run at the working size.
  ///   - coarse: The whole-photo pass of this photo and model, when it was
  ///     run beforehand (``coarseProbabilities(image:model:threads:)``);
  ///     `nil` runs it here. The result is the same either way.
  ///   - tissue: The tissue model joined to `model` (``FinePassTissue``): the
  ///     fine pass then also gives the tissue model's probabilities over each
  ///     of its crops (``SegmentationResult/tissueCrops``). The outline is the
  ///     same with or without it.
  package static func segment(
    image: RGBImage, excluding: [[Point]], hints: SegmentationHints, model: SegmentationModel, threads: Int = 1,
    coarse: ProbabilityMap? = nil, tissue: FinePassTissue? = nil
  ) throws(SegmentationError) -> SegmentationResult {
    try segment(
      image: image, excluding: excluding, hints: hints, model: model, timings: nil, threads: threads, coarse: coarse,
      tissue: tissue)
  }

  /// Steps 1 and 2 alone: the network's probabilities at working resolution
  /// for the whole photo.
  ///
  /// They depend only on the pixels and the model, not on the excluded
  /// polygons or the hints, so the pipeline can run them beside the marker
  /// search and hand them to ``segment(image:excluding:hints:model:threads:coarse:)``.
  ///
  /// - Throws: ``SegmentationError/emptyImage(width:height:)`` or
  ///   ``SegmentationError/model(_:)`` when the model cannot run at the working size.
  package static func coarseProbabilities(image: RGBImage, model: SegmentationModel, threads: Int = 1)
    throws(SegmentationError) -> ProbabilityMap
  {
    guard image.width > 0, image.height > 0 else {
      throw .emptyImage(width: image.width, height: image.height)
    }
    return try coarseProbabilities(image: image, model: model, timings: nil, threads: threads)
  }

  /// ``segment(image:excluding:hints:model:threads:coarse:tissue:)`` recording the time of each step.
  ///
  /// - Precondition: `coarse`, when given, has the working size of `image`, and
  ///   `tissue` was joined to `model` (programmer errors otherwise).
  package static func segment(
    image: RGBImage, excluding: [[Point]], hints: SegmentationHints, model: SegmentationModel,
    timings: OperationTimings?, threads: Int = 1, coarse: ProbabilityMap? = nil, tissue: FinePassTissue? = nil
  ) throws(SegmentationError) -> SegmentationResult {
    var stepStart = timings?.start() ?? 0
    func lap(_ label: String) {
      guard let timings else { return }
      timings.record(label, since: stepStart)
      stepStart = timings.start()
    }

    // Validate the hints.
    guard image.width > 0, image.height > 0 else {
      throw .emptyImage(width: image.width, height: image.height)
    }
    let imageRect = PixelRect(x: 0, y: 0, width: image.width, height: image.height)
    var searchRect = imageRect
    if let roi = hints.regionOfInterest {
      let clipped = roi.intersection(imageRect)
      guard !roi.isEmpty, !clipped.isEmpty else {
        throw .regionOfInterestOutsideImage(roi, imageWidth: image.width, imageHeight: image.height)
      }
      searchRect = clipped
    }
    var seedPixel: (x: Int, y: Int)? = nil
    if let seed = hints.seed {
      guard seed.x.isFinite, seed.y.isFinite, abs(seed.x) < 1e9, abs(seed.y) < 1e9 else {
        throw .seedOutside(seed, area: searchRect)
      }
      let x = Int(seed.x.rounded())
      let y = Int(seed.y.rounded())
      guard searchRect.contains(column: x, row: y) else { throw .seedOutside(seed, area: searchRect) }
      seedPixel = (x, y)
    }

    // 1 and 2. Working resolution and the network, unless already run.
    let factor = workingFactor(width: image.width, height: image.height)
    let (cellsWide, cellsHigh) = AreaDownscaler.size(width: image.width, height: image.height, factor: factor)
    let probabilities: ProbabilityMap
    if let coarse {
      precondition(
        coarse.photoPixelsPerCell == factor && coarse.width == cellsWide && coarse.height == cellsHigh,
        "the coarse pass was run on a photo of another size")
      probabilities = coarse
    } else {
      probabilities = try coarseProbabilities(image: image, model: model, timings: timings, threads: threads)
    }
    stepStart = timings?.start() ?? 0
    let cells = probabilities.values

    // 3. Regions at working resolution.
    let grid = CellGrid(factor: factor, width: cellsWide, height: cellsHigh)
    var wound = [UInt8](repeating: 0, count: cellsWide * cellsHigh)
    for j in 0..<cellsHigh {
      let centreY = grid.centrePixel(j, limit: image.height)
      for i in 0..<cellsWide {
        let centreX = grid.centrePixel(i, limit: image.width)
        if searchRect.contains(column: centreX, row: centreY) && cells[j * cellsWide + i] > probabilityThreshold {
          wound[j * cellsWide + i] = 255
        }
      }
    }
    for polygon in excluding {
      PolygonRasterizer.forEachSpan(
        of: polygon, rows: 0..<cellsHigh, columns: 0..<cellsWide, origin: Double(factor - 1) / 2,
        spacing: Double(factor)
      ) { row, span in
        for i in span { wound[row * cellsWide + i] = 0 }
      }
    }
    let cellRegions = MaskRegions(mask: Mask(width: cellsWide, height: cellsHigh, pixels: wound))
    let seedCell = seedPixel.map { (x: min(cellsWide - 1, $0.x / factor), y: min(cellsHigh - 1, $0.y / factor)) }
    let keptCells = selectRegions(cellRegions, minimumArea: minimumRegionCells, seed: seedCell)
    lap("regions")

    // 4. Outline at photo resolution: from each kept region's crop (fine pass), or
    // sampled from the cells inside each kept region's box. The outline is painted
    // over the box of those areas only (`frame`), once the network has run, so that
    // the two never hold memory together.
    var boxes: [PixelRect] = []
    var tissueCrops: [TissueCrop]?
    var paint: (_ pixels: UnsafeMutablePointer<UInt8>, _ frame: PixelRect) -> Void
    if let rule = model.finePass {
      // Coarse to fine: each kept region is segmented again in its own crop (see FinePass).
      var regionBoxes: [PixelRect] = []
      for (k, region) in cellRegions.regions.enumerated() where keptCells[k] {
        let cells = region.boundingBox
        let box = PixelRect(
          x: cells.x * factor, y: cells.y * factor, width: cells.width * factor, height: cells.height * factor
        ).intersection(imageRect)
        if !box.isEmpty { regionBoxes.append(box) }
      }
      let size = rule.cropSizePixels
      var passes: [(crop: FinePass.Crop, area: PixelRect, probabilities: [Float])] = []
      tissueCrops = tissue.map { _ in [] }
      for crop in FinePass.crops(boxes: regionBoxes, rule: rule) {
        let area = crop.pixels(clippedTo: searchRect)
        guard !area.isEmpty else { continue }
        let input = FinePass.input(
          image: image, crop: crop, size: size, subtract: model.normalizeSubtract, divide: model.normalizeDivide,
          threads: threads)
        do {
          let fine: [Float]
          if let tissue {
            let both = try tissue.run(
              outline: model, crop: crop, normalizedInput: input, size: size, timings: timings, threads: threads)
            fine = both.outline
            tissueCrops?.append(both.tissue)
          } else {
            fine = try model.probabilities(
              normalizedInput: input, width: size, height: size, timings: timings, threads: threads)
          }
          passes.append((crop, area, fine))
        } catch {
          throw .model(error)
        }
      }
      stepStart = timings?.start() ?? 0
      boxes = mergeTouching(passes.map(\.area))
      paint = { pixels, frame in
        for pass in passes {
          FinePass.paint(
            pass.probabilities, size: size, crop: pass.crop, area: pass.area, threshold: probabilityThreshold,
            into: pixels, frame: frame, threads: threads)
        }
      }
    } else {
      // Cells above the threshold that are excluded or dropped count as 0, so they
      // cannot pull a kept outline towards them.
      var refined = cells
      for k in wound.indices where wound[k] == 0 && cells[k] > probabilityThreshold { refined[k] = 0 }
      for run in cellRegions.runs where !keptCells[run.region] {
        for i in run.start..<run.end { refined[run.y * cellsWide + i] = 0 }
      }
      for (k, region) in cellRegions.regions.enumerated() where keptCells[k] {
        let cells = region.boundingBox
        let box = PixelRect(
          x: (cells.x - 1) * factor, y: (cells.y - 1) * factor,
          width: (cells.width + 2) * factor, height: (cells.height + 2) * factor)
        let clipped = box.intersection(searchRect)
        if !clipped.isEmpty { boxes.append(clipped) }
      }
      boxes = mergeTouching(boxes)
      paint = { [boxes] pixels, frame in
        refined.withUnsafeBufferPointer { refined in
          for box in boxes {
            grid.sampleBilinear(
              refined.baseAddress!, into: pixels, frame: frame, box: box, threshold: probabilityThreshold)
          }
        }
      }
    }
    // The networks have run: the arena they shared goes before the outline is made.
    KeptArena.release()
    let found: MaskRegions
    if let first = boxes.first {
      let frame = boxes.dropFirst().reduce(first) { $0.union($1) }
      var outline = Mask(width: frame.width, height: frame.height)
      outline.pixels.withUnsafeMutableBufferPointer { pixels in
        paint(pixels.baseAddress!, frame)
        for box in boxes {
          for polygon in excluding {
            PolygonRasterizer.forEachSpan(
              of: polygon, rows: box.y..<box.maxY, columns: box.x..<box.maxX, origin: 0, spacing: 1
            ) { row, span in
              (pixels.baseAddress! + (row - frame.y) * frame.width + (span.lowerBound - frame.x)).update(
                repeating: 0, count: span.count)
            }
          }
        }
      }
      let windows = boxes.map { PixelRect(x: $0.x - frame.x, y: $0.y - frame.y, width: $0.width, height: $0.height) }
      found = MaskRegions(mask: outline, windows: windows).placed(
        at: frame, inWidth: image.width, height: image.height)
    } else {
      found = .empty(width: image.width, height: image.height)
    }

    // Final regions, with the speck rule and the seed once more, in photo pixels.
    let kept = selectRegions(found, minimumArea: minimumRegionCells * factor * factor, seed: seedPixel)
    if let seedPixel, let seed = hints.seed, let distance = distance(from: seedPixel, to: found, kept: kept) {
      let limit = seedDistanceLimitPixels(width: image.width, height: image.height)
      if distance > limit { throw .seedFarFromWound(seed, distancePixels: distance, limitPixels: limit) }
    }
    let labelled = found.keeping(kept)
    let regions = labelled.regions.sorted {
      if $0.areaPixels != $1.areaPixels { return $0.areaPixels > $1.areaPixels }
      if $0.boundingBox.y != $1.boundingBox.y { return $0.boundingBox.y < $1.boundingBox.y }
      return $0.boundingBox.x < $1.boundingBox.x
    }
    let woundMask = BoxMask(regions: labelled)
    lap("outline")
    return SegmentationResult(
      wound: woundMask, regions: regions, labelled: labelled, probabilities: probabilities, tissueCrops: tissueCrops)
  }

  /// The working factor `f`: the smallest integer that brings the photo's
  /// long side to at most ``workingLongSidePixels``.
  static func workingFactor(width: Int, height: Int) -> Int {
    let longSide = max(width, height)
    return max(1, (longSide + workingLongSidePixels - 1) / workingLongSidePixels)
  }

  /// Steps 1 and 2 on a photo that is not empty, recording `downscale` and the network's operations.
  static func coarseProbabilities(
    image: RGBImage, model: SegmentationModel, timings: OperationTimings?, threads: Int
  ) throws(SegmentationError) -> ProbabilityMap {
    let start = timings?.start() ?? 0
    let factor = workingFactor(width: image.width, height: image.height)
    let (cellsWide, cellsHigh) = AreaDownscaler.size(width: image.width, height: image.height, factor: factor)
    let multiple = model.sizeMultiplePixels
    let paddedWidth = (cellsWide + multiple - 1) / multiple * multiple
    let paddedHeight = (cellsHigh + multiple - 1) / multiple * multiple
    let planes = AreaDownscaler.normalizedPlanes(
      image, factor: factor, paddedWidth: paddedWidth, paddedHeight: paddedHeight,
      subtract: model.normalizeSubtract, divide: model.normalizeDivide)
    timings?.record("downscale", since: start)

    let padded: [Float]
    do {
      padded = try model.probabilities(
        normalizedInput: planes, width: paddedWidth, height: paddedHeight, timings: timings, threads: threads)
    } catch {
      throw .model(error)
    }
    var cells = [Float](repeating: 0, count: cellsWide * cellsHigh)
    for j in 0..<cellsHigh {
      for i in 0..<cellsWide { cells[j * cellsWide + i] = padded[j * paddedWidth + i] }
    }
    return ProbabilityMap(width: cellsWide, height: cellsHigh, values: cells, photoPixelsPerCell: factor)
  }

  // MARK: Region selection

  /// Applies the speck rule, then the seed, to the regions of one labelled grid.
  ///
  /// - Parameters:
  ///   - minimumArea: The absolute part of the speck rule, in the grid's units.
  ///   - seed: The seed's position on the grid, if any.
  /// - Returns: Whether each region is kept.
  static func selectRegions(_ labelled: MaskRegions, minimumArea: Int, seed: (x: Int, y: Int)?) -> [Bool] {
    let keep = speckRule(labelled.regions, minimumArea: minimumArea)
    guard let seed else { return keep }
    // The region under the seed is kept even when it is a speck: the user pointed at it.
    if let run = labelled.runs.first(where: { $0.y == seed.y && $0.start <= seed.x && seed.x < $0.end }) {
      return labelled.regions.indices.map { $0 == run.region }
    }
    var chosen = -1
    var bestDistance = Int.max
    for run in labelled.runs where keep[run.region] {
      let distance = squaredDistance(from: seed, to: run)
      if distance < bestDistance || (distance == bestDistance && run.region < chosen) {
        bestDistance = distance
        chosen = run.region
      }
    }
    return labelled.regions.indices.map { $0 == chosen }
  }

  /// The squared distance from `seed` to the nearest pixel of `run`.
  static func squaredDistance(from seed: (x: Int, y: Int), to run: MaskRegions.Run) -> Int {
    let dx = seed.x < run.start ? run.start - seed.x : (seed.x >= run.end ? seed.x - (run.end - 1) : 0)
    let dy = seed.y - run.y
    return dx * dx + dy * dy
  }

  /// The farthest a seed may lie from the region it selects, pixels: 5 % of the photo's
  /// longer side, at least 64 pixels. A seed farther from every region is refused.
  static func seedDistanceLimitPixels(width: Int, height: Int) -> Double {
    max(64, Double(max(width, height)) * 0.05)
  }

  /// The distance from `seed` to the nearest pixel of a kept region (0 inside one); `nil`
  /// when no region is kept.
  static func distance(from seed: (x: Int, y: Int), to labelled: MaskRegions, kept: [Bool]) -> Double? {
    var best: Int?
    for run in labelled.runs where kept[run.region] {
      let squared = squaredDistance(from: seed, to: run)
      if best == nil || squared < best! { best = squared }
    }
    return best.map { Double($0).squareRoot() }
  }

  /// Whether each region survives the speck rule: at least `minimumArea` and
  /// at least ``minimumRegionFractionOfLargest`` of the largest region.
  static func speckRule(_ regions: [MaskRegions.Region], minimumArea: Int) -> [Bool] {
    let largest = regions.map(\.areaPixels).max() ?? 0
    let relative = Int((minimumRegionFractionOfLargest * Double(largest)).rounded(.up))
    let limit = max(minimumArea, relative)
    return regions.map { $0.areaPixels >= limit }
  }

  /// Merges rectangles that overlap or touch (including diagonally) until
  /// none do, so no 8-connected region spans two of them.
  static func mergeTouching(_ boxes: [PixelRect]) -> [PixelRect] {
    var result = boxes
    var merged = true
    while merged {
      merged = false
      outer: for a in result.indices {
        for b in result.indices where b > a {
          let grown = PixelRect(
            x: result[a].x - 1, y: result[a].y - 1, width: result[a].width + 2, height: result[a].height + 2)
          if !grown.intersection(result[b]).isEmpty {
            result[a] = result[a].union(result[b])
            result.remove(at: b)
            merged = true
            break outer
          }
        }
      }
    }
    return result.sorted { ($0.y, $0.x) < ($1.y, $1.x) }
  }
}

/// The working-resolution grid: cell `i` covers photo pixels
/// `i * factor ..< (i + 1) * factor`, its centre at `(i + 0.5) * factor - 0.5`.
struct CellGrid {
  var factor: Int
  var width: Int
  var height: Int

  /// The photo pixel holding cell `i`'s centre, along one axis.
  func centrePixel(_ i: Int, limit: Int) -> Int {
    min(limit - 1, i * factor + factor / 2)
  }

  /// Where photo pixel `p`'s centre falls between cell centres along an axis
  /// of `count` cells: the two cells and the weight of the second (clamped
  /// to the outer cell centres).
  func tap(_ p: Int, count: Int) -> (i0: Int, i1: Int, weight: Float) {
    let u = min(max((Double(p) + 0.5) / Double(factor) - 0.5, 0), Double(count - 1))
    let i0 = Int(u)
    return (i0, min(i0 + 1, count - 1), Float(u - Double(i0)))
  }

  /// Samples `cells` bilinearly at the centre of every photo pixel in `box`
  /// and writes 255 where the value exceeds `threshold` into `pixels` (the
  /// photo's pixels inside `frame`, row-major over it; `box` lies inside
  /// `frame`); other pixels are left as they are (zero).
  ///
  /// Each photo row is first interpolated between its two cell rows; along
  /// the row, pixels between the same two cell centres take a convex
  /// combination of two values, so a stretch whose two values are both
  /// clearly above (or below) the threshold is filled (or skipped) without
  /// evaluating each pixel. The margin `1e-5` is far above float rounding,
  /// so the shortcut never changes a pixel.
  func sampleBilinear(
    _ cells: UnsafePointer<Float>, into pixels: UnsafeMutablePointer<UInt8>, frame: PixelRect, box: PixelRect,
    threshold: Float
  ) {
    // Stretches of columns sharing the same two cells.
    var stretches: [(i0: Int, i1: Int, start: Int, end: Int)] = []
    var weights = [Float](repeating: 0, count: box.width)
    for x in box.x..<box.maxX {
      let t = tap(x, count: width)
      weights[x - box.x] = t.weight
      if let last = stretches.last, last.i0 == t.i0, last.i1 == t.i1 {
        stretches[stretches.count - 1].end = x + 1
      } else {
        stretches.append((t.i0, t.i1, x, x + 1))
      }
    }
    let firstCell = stretches.first!.i0
    let lastCell = stretches.last!.i1
    var row = [Float](repeating: 0, count: lastCell - firstCell + 1)
    let margin: Float = 1e-5
    for y in box.y..<box.maxY {
      let t = tap(y, count: height)
      let top = cells + t.i0 * width
      let bottom = cells + t.i1 * width
      for i in firstCell...lastCell {
        row[i - firstCell] = top[i] * (1 - t.weight) + bottom[i] * t.weight
      }
      let target = pixels + (y - frame.y) * frame.width  // pixel x is target[x - frame.x]
      for stretch in stretches {
        let a = row[stretch.i0 - firstCell]
        let b = row[stretch.i1 - firstCell]
        if min(a, b) > threshold + margin {
          (target + (stretch.start - frame.x)).update(repeating: 255, count: stretch.end - stretch.start)
        } else if max(a, b) < threshold - margin {
          continue
        } else {
          for x in stretch.start..<stretch.end {
            let w = weights[x - box.x]
            if a * (1 - w) + b * w > threshold { target[x - frame.x] = 255 }
          }
        }
      }
    }
  }
}
