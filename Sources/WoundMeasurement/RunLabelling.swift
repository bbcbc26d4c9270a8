import WoundCore

/// The 8-connected regions of a mask, found run by run.
///
/// A run is a maximal horizontal stretch of set pixels in one row. Runs in
/// neighbouring rows that overlap or touch diagonally (`x` ranges within one
/// pixel of each other) belong to the same region; a union-find over runs
/// joins them (the run-based labelling of He, Chao and Suzuki, "A run-based
/// two-scan labeling algorithm", IEEE TIP 17(5), 2008, in its simplest form).
struct RunLabelling {
  /// One horizontal run: row `y`, pixels `x0...x1` (inclusive).
  struct Run {
    var y: Int32
    var x0: Int32
    var x1: Int32
  }

  /// Inclusive pixel bounds of one region.
  struct Bounds {
    var minX: Int
    var minY: Int
    var maxX: Int
    var maxY: Int
  }

  /// All runs, in raster order.
  private(set) var runs: [Run] = []
  /// The region index of each run.
  private(set) var runRegion: [Int32] = []
  /// Number of regions.
  private(set) var regionCount = 0
  /// First pixel of each region in raster order: its top row's leftmost pixel.
  private(set) var firstPixel: [(x: Int, y: Int)] = []
  /// Number of pixels in each region.
  private(set) var pixelCount: [Int] = []
  /// Inclusive bounds of each region.
  private(set) var boundingBox: [Bounds] = []

  /// Labels the set (non-zero) pixels of `mask`.
  init(mask: Mask) {
    let width = mask.width
    var parent: [Int32] = []
    mask.pixels.withUnsafeBufferPointer { pixels in
      var previousRowRuns = 0..<0
      for y in 0..<mask.height {
        let rowStart = runs.count
        let row = y * width
        var x = 0
        while x < width {
          if pixels[row + x] == 0 {
            x = Self.skipUnset(pixels, from: row + x, to: row + width) - row
            continue
          }
          let x0 = x
          x = Self.skipSet(pixels, from: row + x, to: row + width) - row
          runs.append(Run(y: Int32(y), x0: Int32(x0), x1: Int32(x - 1)))
          parent.append(Int32(runs.count - 1))
        }
        let currentRowRuns = rowStart..<runs.count
        Self.joinTouchingRuns(previousRowRuns, currentRowRuns, runs: runs, parent: &parent)
        previousRowRuns = currentRowRuns
      }
    }
    assignRegions(parent: &parent)
  }

  /// The index of the first set byte in `start..<end`, or `end`; reads eight
  /// bytes at a time.
  @inline(__always)
  private static func skipUnset(_ pixels: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> Int {
    let base = UnsafeRawPointer(pixels.baseAddress!)
    var i = start
    while i + 8 <= end && base.loadUnaligned(fromByteOffset: i, as: UInt64.self) == 0 { i += 8 }
    while i < end && pixels[i] == 0 { i += 1 }
    return i
  }

  /// The index of the first unset byte in `start..<end`, or `end`; reads
  /// eight bytes at a time (a word has a zero byte exactly when
  /// `(w - 0x01...01) & ~w & 0x80...80` is non-zero).
  @inline(__always)
  private static func skipSet(_ pixels: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> Int {
    let base = UnsafeRawPointer(pixels.baseAddress!)
    var i = start
    while i + 8 <= end {
      let word = base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
      if (word &- 0x0101_0101_0101_0101) & ~word & 0x8080_8080_8080_8080 != 0 { break }
      i += 8
    }
    while i < end && pixels[i] != 0 { i += 1 }
    return i
  }

  /// Joins each run of the current row with the runs of the previous row it
  /// touches (8-connectivity). Both ranges are sorted by `x0`.
  private static func joinTouchingRuns(
    _ previous: Range<Int>, _ current: Range<Int>, runs: [Run], parent: inout [Int32]
  ) {
    guard !previous.isEmpty, !current.isEmpty else { return }
    var j = previous.lowerBound
    for i in current {
      let run = runs[i]
      // Skip previous runs that end before this one can touch them.
      while j < previous.upperBound && runs[j].x1 < run.x0 - 1 { j += 1 }
      var k = j
      while k < previous.upperBound && runs[k].x0 <= run.x1 + 1 {
        union(Int32(i), Int32(k), parent: &parent)
        k += 1
      }
    }
  }

  private static func find(_ i: Int32, parent: inout [Int32]) -> Int32 {
    var root = i
    while parent[Int(root)] != root { root = parent[Int(root)] }
    var node = i
    while parent[Int(node)] != root {
      let next = parent[Int(node)]
      parent[Int(node)] = root
      node = next
    }
    return root
  }

  private static func union(_ a: Int32, _ b: Int32, parent: inout [Int32]) {
    let rootA = find(a, parent: &parent)
    let rootB = find(b, parent: &parent)
    // The smaller index (earlier in raster order) stays the root.
    if rootA < rootB {
      parent[Int(rootB)] = rootA
    } else if rootB < rootA {
      parent[Int(rootA)] = rootB
    }
  }

  /// Numbers the regions in raster order of their first run and gathers
  /// their pixel counts and bounds.
  private mutating func assignRegions(parent: inout [Int32]) {
    runRegion = [Int32](repeating: -1, count: runs.count)
    var regionOfRoot = [Int32](repeating: -1, count: runs.count)
    for i in 0..<runs.count {
      let root = Int(Self.find(Int32(i), parent: &parent))
      let run = runs[i]
      var region = regionOfRoot[root]
      if region < 0 {
        region = Int32(regionCount)
        regionOfRoot[root] = region
        regionCount += 1
        firstPixel.append((x: Int(run.x0), y: Int(run.y)))
        pixelCount.append(0)
        boundingBox.append(Bounds(minX: Int(run.x0), minY: Int(run.y), maxX: Int(run.x1), maxY: Int(run.y)))
      }
      runRegion[i] = region
      let r = Int(region)
      pixelCount[r] += Int(run.x1 - run.x0 + 1)
      boundingBox[r].minX = min(boundingBox[r].minX, Int(run.x0))
      boundingBox[r].maxX = max(boundingBox[r].maxX, Int(run.x1))
      boundingBox[r].maxY = max(boundingBox[r].maxY, Int(run.y))
    }
  }

  /// The area of each region in the plane, in mm^2.
  ///
  /// Each run covers the rectangle `[x0 - 0.5, x1 + 0.5] x [y - 0.5, y + 0.5]`;
  /// its image under the homography is the quadrilateral through the mapped
  /// corners, whose shoelace area is exact.
  func areasMm2(homography: Homography) -> [Double] {
    var areas = [Double](repeating: 0, count: regionCount)
    let h = homography.m
    @inline(__always) func map(_ x: Double, _ y: Double) -> (Double, Double) {
      let w = h[6] * x + h[7] * y + h[8]
      return ((h[0] * x + h[1] * y + h[2]) / w, (h[3] * x + h[4] * y + h[5]) / w)
    }
    for (i, run) in runs.enumerated() {
      let left = Double(run.x0) - 0.5
      let right = Double(run.x1) + 0.5
      let top = Double(run.y) - 0.5
      let bottom = Double(run.y) + 0.5
      let a = map(left, top)
      let b = map(right, top)
      let c = map(right, bottom)
      let d = map(left, bottom)
      // Shoelace over a, b, c, d: half the cross product of the diagonals.
      let twiceArea = (c.0 - a.0) * (d.1 - b.1) - (d.0 - b.0) * (c.1 - a.1)
      areas[Int(runRegion[i])] += abs(twiceArea) / 2
    }
    return areas
  }
}
