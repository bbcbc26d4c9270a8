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
///    region containing the seed, or else the nearest region, is kept.
/// 4. **Outline.** Inside each kept region's bounding box (grown by one cell),
///    the probabilities are sampled bilinearly at every photo pixel's centre
///    and thresholded again, so the outline follows the photo's resolution
///    without evaluating the whole frame. Excluded polygons and the region of
///    interest are applied again pixel by pixel, and the speck rule and the
///    seed once more on the final regions, in photo pixels.
///
/// The result is a pure function of the pixels, the polygons, the hints and
/// the model: every step is deterministic.
public enum Segmenter {
  /// The longest side of the working image, in cells, before padding.
  public static let workingLongSidePixels = 320
  /// A cell or pixel is wound when its probability is strictly above this.
  public static let probabilityThreshold: Float = 0.5
  /// Speck rule: a region is dropped when it covers fewer than this many
  /// working cells (fewer than `minimumRegionCells * f * f` pixels at photo
  /// resolution), or less than ``minimumRegionFractionOfLargest`` of the
  /// largest region's area. The region holding the seed is never dropped.
  public static let minimumRegionCells = 4
  /// See ``minimumRegionCells``.
  public static let minimumRegionFractionOfLargest = 0.001

  /// Finds the wound regions of a photo.
  ///
  /// - Parameters:
  ///   - image: The photo as displayed (EXIF orientation applied).
  ///   - excluding: Polygons (vertices in displayed-photo pixels, pixel
  ///     centres at integer coordinates) that can never be wound, such as the
  ///     calibration marker's outline with its white border.
  ///   - hints: An optional region of interest and seed point.
  ///   - model: The segmentation network.
  /// - Returns: The full-resolution mask, its regions (largest first) and the
  ///   working-resolution probabilities. A photo without a wound gives an
  ///   empty mask and no regions.
  /// - Throws: ``SegmentationError/emptyImage(width:height:)``,
  ///   ``SegmentationError/regionOfInterestOutsideImage(_:imageWidth:imageHeight:)``,
  ///   ``SegmentationError/seedOutside(_:area:)``, or
  ///   ``SegmentationError/model(_:)`` when the model cannot run at the working size.
  public static func segment(
    image: RGBImage, excluding: [[Point]], hints: SegmentationHints, model: SegmentationModel
  ) throws(SegmentationError) -> SegmentationResult {
    try segment(image: image, excluding: excluding, hints: hints, model: model, timings: nil)
  }

  /// ``segment(image:excluding:hints:model:)`` recording the time of each step.
  package static func segment(
    image: RGBImage, excluding: [[Point]], hints: SegmentationHints, model: SegmentationModel,
    timings: OperationTimings?
  ) throws(SegmentationError) -> SegmentationResult {
    let clock = ContinuousClock()
    var stepStart = clock.now
    func lap(_ label: String) {
      guard let timings else { return }
      let now = clock.now
      timings.record(label, now - stepStart)
      stepStart = now
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

    // 1. Working resolution.
    let longSide = max(image.width, image.height)
    let factor = max(1, (longSide + workingLongSidePixels - 1) / workingLongSidePixels)
    let (cellsWide, cellsHigh) = AreaDownscaler.size(width: image.width, height: image.height, factor: factor)
    let multiple = model.sizeMultiplePixels
    let paddedWidth = (cellsWide + multiple - 1) / multiple * multiple
    let paddedHeight = (cellsHigh + multiple - 1) / multiple * multiple
    let planes = AreaDownscaler.normalizedPlanes(
      image, factor: factor, paddedWidth: paddedWidth, paddedHeight: paddedHeight,
      subtract: model.normalizeSubtract, divide: model.normalizeDivide)
    lap("downscale")

    // 2. Network.
    let padded: [Float]
    do {
      padded = try model.probabilities(
        normalizedInput: planes, width: paddedWidth, height: paddedHeight, timings: timings)
    } catch {
      throw .model(error)
    }
    stepStart = clock.now
    var cells = [Float](repeating: 0, count: cellsWide * cellsHigh)
    for j in 0..<cellsHigh {
      for i in 0..<cellsWide { cells[j * cellsWide + i] = padded[j * paddedWidth + i] }
    }
    let probabilities = ProbabilityMap(
      width: cellsWide, height: cellsHigh, values: cells, photoPixelsPerCell: factor)

    // 3. Regions at working resolution.
    let grid = CellGrid(factor: factor, width: cellsWide, height: cellsHigh, photo: imageRect)
    var wound = [UInt8](repeating: 0, count: cellsWide * cellsHigh)
    for j in 0..<cellsHigh {
      let centreY = grid.centrePixel(j, limit: image.height)
      for i in 0..<cellsWide {
        let centreX = grid.centrePixel(i, limit: image.width)
        if searchRect.contains(column: centreX, row: centreY) && cells[j * cellsWide + i] > probabilityThreshold {
          wound[j * cellsWide + i] = 1
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
    let (cellLabels, cellRegions) = wound.withUnsafeBufferPointer {
      ConnectedComponents.label($0.baseAddress!, width: cellsWide, height: cellsHigh, rowStride: cellsWide)
    }
    let seedCell = seedPixel.map { (x: min(cellsWide - 1, $0.x / factor), y: min(cellsHigh - 1, $0.y / factor)) }
    let keptCells = selectRegions(
      cellRegions, labels: cellLabels, width: cellsWide, minimumArea: minimumRegionCells, seed: seedCell)
    lap("regions")

    // 4. Outline at photo resolution, inside each kept region's box.
    var refined = cells
    for k in wound.indices where wound[k] == 0 && cells[k] > probabilityThreshold {
      refined[k] = 0  // excluded cells
    }
    for k in cellLabels.indices where cellLabels[k] != 0 && !keptCells[Int(cellLabels[k]) - 1] {
      refined[k] = 0  // dropped regions
    }
    var boxes: [PixelRect] = []
    for (k, region) in cellRegions.enumerated() where keptCells[k] {
      let box = PixelRect(
        x: (region.minX - 1) * factor, y: (region.minY - 1) * factor,
        width: (region.maxX - region.minX + 3) * factor, height: (region.maxY - region.minY + 3) * factor)
      let clipped = box.intersection(searchRect)
      if !clipped.isEmpty { boxes.append(clipped) }
    }
    boxes = mergeTouching(boxes)
    var mask = Mask(width: image.width, height: image.height)
    mask.pixels.withUnsafeMutableBufferPointer { pixels in
      refined.withUnsafeBufferPointer { refined in
        for box in boxes {
          grid.sampleBilinear(
            refined.baseAddress!, into: pixels.baseAddress!, photoWidth: image.width, box: box,
            threshold: probabilityThreshold)
          for polygon in excluding {
            PolygonRasterizer.forEachSpan(
              of: polygon, rows: box.y..<box.maxY, columns: box.x..<box.maxX, origin: 0, spacing: 1
            ) { row, span in
              (pixels.baseAddress! + row * image.width + span.lowerBound).update(repeating: 0, count: span.count)
            }
          }
        }
      }
    }

    // Final regions, speck rule and seed in photo pixels.
    var regions: [WoundRegion] = []
    var candidates: [(box: PixelRect, labels: [Int32], components: [ConnectedComponents.Component])] = []
    for box in boxes {
      let (labels, components) = mask.pixels.withUnsafeBufferPointer {
        ConnectedComponents.label(
          $0.baseAddress! + box.y * image.width + box.x, width: box.width, height: box.height,
          rowStride: image.width)
      }
      candidates.append((box, labels, components))
    }
    // One selection over the regions of every box together.
    var allComponents: [ConnectedComponents.Component] = []
    var seedLabel: (box: Int, label: Int)? = nil
    for (b, candidate) in candidates.enumerated() {
      for var component in candidate.components {
        component.minX += candidate.box.x
        component.maxX += candidate.box.x
        component.minY += candidate.box.y
        component.maxY += candidate.box.y
        component.sumX += component.area * candidate.box.x
        component.sumY += component.area * candidate.box.y
        allComponents.append(component)
      }
      if let seedPixel, candidate.box.contains(column: seedPixel.x, row: seedPixel.y) {
        let label = candidate.labels[(seedPixel.y - candidate.box.y) * candidate.box.width + seedPixel.x - candidate.box.x]
        if label != 0 { seedLabel = (b, Int(label)) }
      }
    }
    let keptPixels = selectPhotoRegions(
      candidates: candidates, all: allComponents, seedPixel: seedPixel, seedLabel: seedLabel,
      minimumArea: minimumRegionCells * factor * factor)
    var offset = 0
    for candidate in candidates {
      let box = candidate.box
      let keep = Array(keptPixels[offset..<(offset + candidate.components.count)])
      if keep.contains(false) {
        mask.pixels.withUnsafeMutableBufferPointer { pixels in
          for y in 0..<box.height {
            for x in 0..<box.width {
              let label = candidate.labels[y * box.width + x]
              if label != 0 && !keep[Int(label) - 1] { pixels[(box.y + y) * image.width + box.x + x] = 0 }
            }
          }
        }
      }
      for (k, component) in allComponents[offset..<(offset + candidate.components.count)].enumerated()
      where keep[k] {
        regions.append(
          WoundRegion(
            areaPixels: component.area,
            boundingBox: PixelRect(
              x: component.minX, y: component.minY, width: component.maxX - component.minX + 1,
              height: component.maxY - component.minY + 1),
            centroid: Point(
              x: Double(component.sumX) / Double(component.area),
              y: Double(component.sumY) / Double(component.area))))
      }
      offset += candidate.components.count
    }
    regions.sort {
      if $0.areaPixels != $1.areaPixels { return $0.areaPixels > $1.areaPixels }
      if $0.boundingBox.y != $1.boundingBox.y { return $0.boundingBox.y < $1.boundingBox.y }
      return $0.boundingBox.x < $1.boundingBox.x
    }
    lap("outline")
    return SegmentationResult(mask: mask, regions: regions, probabilities: probabilities)
  }

  // MARK: Region selection

  /// Applies the speck rule and the seed to regions of one labelled grid.
  ///
  /// - Parameters:
  ///   - minimumArea: The absolute part of the speck rule, in the grid's units.
  ///   - seed: The seed's cell, if any.
  /// - Returns: Whether each region is kept.
  static func selectRegions(
    _ regions: [ConnectedComponents.Component], labels: [Int32], width: Int, minimumArea: Int,
    seed: (x: Int, y: Int)?
  ) -> [Bool] {
    var keep = speckRule(regions, minimumArea: minimumArea)
    guard let seed else { return keep }
    let seedLabel = Int(labels[seed.y * width + seed.x])
    var chosen = seedLabel - 1
    if seedLabel == 0 {
      chosen = nearestRegion(to: seed, labels: labels, width: width, eligible: keep)
    }
    keep = keep.indices.map { $0 == chosen }
    return keep
  }

  /// Whether each region survives the speck rule: at least `minimumArea` and
  /// at least ``minimumRegionFractionOfLargest`` of the largest region.
  static func speckRule(_ regions: [ConnectedComponents.Component], minimumArea: Int) -> [Bool] {
    let largest = regions.map(\.area).max() ?? 0
    let relative = Int((minimumRegionFractionOfLargest * Double(largest)).rounded(.up))
    let limit = max(minimumArea, relative)
    return regions.map { $0.area >= limit }
  }

  /// The eligible region with a pixel nearest to `point` (ties: the lower
  /// label), or -1 when none is eligible.
  static func nearestRegion(to point: (x: Int, y: Int), labels: [Int32], width: Int, eligible: [Bool]) -> Int {
    var best = -1
    var bestDistance = Int.max
    for (k, label) in labels.enumerated() where label != 0 && eligible[Int(label) - 1] {
      let dx = k % width - point.x
      let dy = k / width - point.y
      let distance = dx * dx + dy * dy
      if distance < bestDistance || (distance == bestDistance && Int(label) - 1 < best) {
        bestDistance = distance
        best = Int(label) - 1
      }
    }
    return best
  }

  /// The speck rule and the seed over the photo-resolution regions of all
  /// boxes (indexed box by box, in order).
  static func selectPhotoRegions(
    candidates: [(box: PixelRect, labels: [Int32], components: [ConnectedComponents.Component])],
    all: [ConnectedComponents.Component], seedPixel: (x: Int, y: Int)?, seedLabel: (box: Int, label: Int)?,
    minimumArea: Int
  ) -> [Bool] {
    var keep = speckRule(all, minimumArea: minimumArea)
    guard let seedPixel else { return keep }
    var chosen = -1
    if let seedLabel {
      chosen = candidates[..<seedLabel.box].reduce(0) { $0 + $1.components.count } + seedLabel.label - 1
    } else {
      var bestDistance = Int.max
      var offset = 0
      for candidate in candidates {
        let box = candidate.box
        for (k, label) in candidate.labels.enumerated() where label != 0 {
          let index = offset + Int(label) - 1
          guard keep[index] else { continue }
          let dx = box.x + k % box.width - seedPixel.x
          let dy = box.y + k / box.width - seedPixel.y
          let distance = dx * dx + dy * dy
          if distance < bestDistance || (distance == bestDistance && index < chosen) {
            bestDistance = distance
            chosen = index
          }
        }
        offset += candidate.components.count
      }
    }
    keep = keep.indices.map { $0 == chosen }
    return keep
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
  var photo: PixelRect

  /// The photo pixel holding cell `i`'s centre, along one axis.
  func centrePixel(_ i: Int, limit: Int) -> Int {
    min(limit - 1, i * factor + factor / 2)
  }

  /// Where photo pixel `p`'s centre falls between cell centres along an axis
  /// of `count` cells: the two cells and the weight of the second.
  func tap(_ p: Int, count: Int) -> (Int, Int, Float) {
    let u = min(max((Double(p) + 0.5) / Double(factor) - 0.5, 0), Double(count - 1))
    let i0 = Int(u)
    let i1 = min(i0 + 1, count - 1)
    return (i0, i1, Float(u - Double(i0)))
  }

  /// Samples `cells` bilinearly at the centre of every photo pixel in `box`
  /// and writes 255 where the value exceeds `threshold`, else 0.
  func sampleBilinear(
    _ cells: UnsafePointer<Float>, into pixels: UnsafeMutablePointer<UInt8>, photoWidth: Int, box: PixelRect,
    threshold: Float
  ) {
    let columnTaps = (box.x..<box.maxX).map { tap($0, count: width) }
    let firstCell = columnTaps.first!.0
    let lastCell = columnTaps.last!.1
    var row = [Float](repeating: 0, count: lastCell - firstCell + 1)
    for y in box.y..<box.maxY {
      let (j0, j1, wv) = tap(y, count: height)
      let top = cells + j0 * width
      let bottom = cells + j1 * width
      for i in firstCell...lastCell {
        row[i - firstCell] = top[i] * (1 - wv) + bottom[i] * wv
      }
      let target = pixels + y * photoWidth + box.x
      for (x, (i0, i1, wu)) in columnTaps.enumerated() {
        let value = row[i0 - firstCell] * (1 - wu) + row[i1 - firstCell] * wu
        target[x] = value > threshold ? 255 : 0
      }
    }
  }
}
