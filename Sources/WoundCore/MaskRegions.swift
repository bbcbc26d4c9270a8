/// The 8-connected regions of a mask and their properties: the one labelling
/// every stage uses (what scikit-image's `label` followed by `regionprops`
/// gives).
///
/// Each row is cut into runs of set (non-zero) pixels; runs of neighbouring
/// rows that overlap or meet at a corner are joined with union-find, and the
/// labels are resolved in a second pass over the runs (the run-based two-scan
/// labelling of He, Chao and Suzuki, "A run-based two-scan labeling
/// algorithm", IEEE Trans. Image Process. 17(5), 2008). Once the rows are
/// scanned (eight bytes at a time where they are uniform) the work is
/// proportional to the number of runs, not pixels.
///
/// Coordinates are those of the labelled mask: pixel centres at integers,
/// rows top to bottom. Regions are numbered from 0 in raster order of their
/// first pixel (the leftmost pixel of their top row), so the numbering is
/// deterministic; runs are in raster order.
package struct MaskRegions: Sendable, Equatable {
  /// A horizontal run of set pixels: row `y`, columns `start ..< end` (half-open).
  package struct Run: Sendable, Equatable {
    package var y: Int
    package var start: Int
    package var end: Int
    /// The index of the run's region in ``MaskRegions/regions``.
    package var region: Int

    /// Pixels in the run.
    package var length: Int { end - start }
  }

  /// One 8-connected region: its size, extent and centre, in pixels.
  package struct Region: Sendable, Equatable {
    /// Pixels in the region.
    package var areaPixels: Int
    /// The smallest rectangle holding every pixel of the region (half-open).
    package var boundingBox: PixelRect
    /// The column of the region's first pixel in raster order; its row is
    /// `boundingBox.y`.
    package var firstColumn: Int
    /// Sums of the region's pixel columns and rows (for the centroid).
    var sumX: Int
    var sumY: Int

    /// The region's first pixel in raster order: the leftmost pixel of its top row.
    package var firstPixel: (x: Int, y: Int) { (firstColumn, boundingBox.y) }

    /// The mean of the region's pixel centres.
    package var centroid: Point {
      Point(x: Double(sumX) / Double(areaPixels), y: Double(sumY) / Double(areaPixels))
    }
  }

  /// Width of the labelled mask, pixels.
  package let width: Int
  /// Height of the labelled mask, pixels.
  package let height: Int
  /// Every run, in raster order.
  package private(set) var runs: [Run]
  /// Every region, in raster order of its first pixel.
  package private(set) var regions: [Region]

  /// Labels the set (non-zero) pixels of `mask`.
  package init(mask: Mask) {
    self.init(mask: mask, windows: [PixelRect(x: 0, y: 0, width: mask.width, height: mask.height)])
  }

  /// Labels the set pixels of `mask` inside `windows` only, as if every pixel
  /// outside them were unset.
  ///
  /// The windows must lie inside the mask and must not overlap or touch (not
  /// even diagonally), so that no region spans two of them; the regions are
  /// then those of the whole mask with the outside cleared. Runs and regions
  /// are in window order, raster order within each window, until
  /// ``keeping(_:)`` puts them in raster order.
  /// - Precondition: every window lies inside the mask (a programmer error otherwise).
  package init(mask: Mask, windows: [PixelRect]) {
    width = mask.width
    height = mask.height
    runs = []
    regions = []
    for window in windows where !window.isEmpty {
      precondition(
        window.x >= 0 && window.y >= 0 && window.maxX <= mask.width && window.maxY <= mask.height,
        "labelling window \(window) lies outside the \(mask.width)x\(mask.height) mask")
      mask.pixels.withUnsafeBufferPointer { pixels in
        Self.label(
          pixels.baseAddress! + window.y * mask.width + window.x, width: window.width, height: window.height,
          rowStride: mask.width, origin: window, runs: &runs, regions: &regions)
      }
    }
  }

  /// No regions in a `width` x `height` mask.
  package static func empty(width: Int, height: Int) -> MaskRegions {
    MaskRegions(width: width, height: height, runs: [], regions: [])
  }

  private init(width: Int, height: Int, runs: [Run], regions: [Region]) {
    self.width = width
    self.height = height
    self.runs = runs
    self.regions = regions
  }

  /// These regions, labelled in a mask the size of `window`, moved to where
  /// that window lies in a `width` x `height` mask.
  /// - Precondition: `window` has this mask's size and lies inside the larger one.
  package func placed(at window: PixelRect, inWidth width: Int, height: Int) -> MaskRegions {
    precondition(
      window.width == self.width && window.height == self.height && window.x >= 0 && window.y >= 0
        && window.maxX <= width && window.maxY <= height,
      "window \(window) does not place a \(self.width)x\(self.height) mask inside \(width)x\(height)")
    let dx = window.x
    let dy = window.y
    return MaskRegions(
      width: width, height: height,
      runs: runs.map { Run(y: $0.y + dy, start: $0.start + dx, end: $0.end + dx, region: $0.region) },
      regions: regions.map {
        Region(
          areaPixels: $0.areaPixels,
          boundingBox: PixelRect(
            x: $0.boundingBox.x + dx, y: $0.boundingBox.y + dy, width: $0.boundingBox.width,
            height: $0.boundingBox.height),
          firstColumn: $0.firstColumn + dx, sumX: $0.sumX + dx * $0.areaPixels, sumY: $0.sumY + dy * $0.areaPixels)
      })
  }

  // MARK: Properties of all regions together

  /// Pixels over all regions.
  package var areaPixels: Int { regions.reduce(0) { $0 + $1.areaPixels } }

  /// The mean of every set pixel's centre; `nil` when there is none.
  package var centroid: Point? {
    let area = areaPixels
    guard area > 0 else { return nil }
    let sumX = regions.reduce(0) { $0 + $1.sumX }
    let sumY = regions.reduce(0) { $0 + $1.sumY }
    return Point(x: Double(sumX) / Double(area), y: Double(sumY) / Double(area))
  }

  /// The smallest rectangle holding every set pixel; `nil` when there is none.
  package var boundingBox: PixelRect? {
    guard let first = regions.first?.boundingBox else { return nil }
    return regions.dropFirst().reduce(first) { $0.union($1.boundingBox) }
  }

  /// Whether any set pixel lies on the mask's outer rows or columns.
  package var touchesBorder: Bool {
    regions.contains {
      $0.boundingBox.x == 0 || $0.boundingBox.y == 0 || $0.boundingBox.maxX == width
        || $0.boundingBox.maxY == height
    }
  }

  /// The regions whose entry in `kept` is true (one entry per region), renumbered
  /// in raster order of their first pixel, with their runs in raster order.
  package func keeping(_ kept: [Bool]) -> MaskRegions {
    precondition(kept.count == regions.count, "one keep flag per region")
    let order = regions.indices.filter { kept[$0] }.sorted {
      (regions[$0].boundingBox.y, regions[$0].firstColumn) < (regions[$1].boundingBox.y, regions[$1].firstColumn)
    }
    var newIndex = [Int](repeating: -1, count: regions.count)
    for (new, old) in order.enumerated() { newIndex[old] = new }
    var keptRuns: [Run] = []
    for var run in runs where kept[run.region] {
      run.region = newIndex[run.region]
      keptRuns.append(run)
    }
    // Each region's runs stay in the order they had (raster order within it).
    keptRuns.sort { ($0.y, $0.start) < ($1.y, $1.start) }
    return MaskRegions(width: width, height: height, runs: keptRuns, regions: order.map { regions[$0] })
  }

  // MARK: Labelling

  /// Labels a `width x height` window whose row `y` starts at `pixels + y * rowStride`,
  /// appending its runs and regions, moved by `origin`.
  private static func label(
    _ pixels: UnsafePointer<UInt8>, width: Int, height: Int, rowStride: Int, origin: PixelRect,
    runs allRuns: inout [Run], regions allRegions: inout [Region]
  ) {
    // First pass: runs, with provisional labels from 1 joined in `parent`.
    var runs: [Run] = []
    var parent: [Int] = [0]
    func find(_ x: Int) -> Int {
      var root = x
      while parent[root] != root { root = parent[root] }
      var node = x
      while parent[node] != root {
        let next = parent[node]
        parent[node] = root
        node = next
      }
      return root
    }
    var previousRow = 0..<0  // indices into runs
    for y in 0..<height {
      let row = pixels + y * rowStride
      let rowStart = runs.count
      var x = 0
      while x < width {
        x = skipUnset(row, from: x, to: width)
        guard x < width else { break }
        let end = skipSet(row, from: x, to: width)
        runs.append(Run(y: y, start: x, end: end, region: 0))
        x = end
      }
      // Join with the runs of the row above that touch (8-connectivity).
      var k = previousRow.lowerBound
      for r in rowStart..<runs.count {
        let start = runs[r].start
        let end = runs[r].end
        while k < previousRow.upperBound && runs[k].end < start { k += 1 }
        var j = k
        var label = 0
        while j < previousRow.upperBound && runs[j].start <= end {
          let other = find(runs[j].region)
          if label == 0 {
            label = other
          } else if other != label {
            let (low, high) = label < other ? (label, other) : (other, label)
            parent[high] = low
            label = low
          }
          j += 1
        }
        if label == 0 {
          label = parent.count
          parent.append(label)
        }
        runs[r].region = label
      }
      previousRow = rowStart..<runs.count
    }

    // Second pass: regions numbered by first appearance, and their properties.
    var final = [Int](repeating: -1, count: parent.count)
    allRuns.reserveCapacity(allRuns.count + runs.count)
    for var run in runs {
      let root = find(run.region)
      run.y += origin.y
      run.start += origin.x
      run.end += origin.x
      if final[root] < 0 {
        final[root] = allRegions.count
        allRegions.append(
          Region(
            areaPixels: 0, boundingBox: PixelRect(x: run.start, y: run.y, width: run.length, height: 1),
            firstColumn: run.start, sumX: 0, sumY: 0))
      }
      run.region = final[root]
      var region = allRegions[run.region]
      region.areaPixels += run.length
      region.boundingBox = region.boundingBox.union(PixelRect(x: run.start, y: run.y, width: run.length, height: 1))
      region.sumX += (run.start + run.end - 1) * run.length / 2
      region.sumY += run.y * run.length
      allRegions[run.region] = region
      allRuns.append(run)
    }
  }

  /// The first column at or after `x` whose pixel is set, or `end`; reads eight
  /// bytes at a time.
  @inline(__always)
  static func skipUnset(_ row: UnsafePointer<UInt8>, from x: Int, to end: Int) -> Int {
    var x = x
    while x + 8 <= end && UnsafeRawPointer(row + x).loadUnaligned(as: UInt64.self) == 0 { x += 8 }
    while x < end && row[x] == 0 { x += 1 }
    return x
  }

  /// The first column at or after `x` whose pixel is unset, or `end`; reads eight
  /// bytes at a time (a word has a zero byte exactly when
  /// `(w - 0x01...01) & ~w & 0x80...80` is non-zero).
  @inline(__always)
  static func skipSet(_ row: UnsafePointer<UInt8>, from x: Int, to end: Int) -> Int {
    var x = x
    while x + 8 <= end {
      let word = UnsafeRawPointer(row + x).loadUnaligned(as: UInt64.self)
      if (word &- 0x0101_0101_0101_0101) & ~word & 0x8080_8080_8080_8080 != 0 { break }
      x += 8
    }
    while x < end && row[x] != 0 { x += 1 }
    return x
  }
}
