/// 8-connected component labelling of a binary image by runs: each row is
/// cut into runs of set pixels, runs touching a run of the row above
/// (overlapping, or meeting at a corner) are joined with union-find, and
/// labels are resolved in a second pass over the runs (the run-based
/// two-pass scheme of He, Chao & Suzuki, "A run-based two-scan labeling
/// algorithm", IEEE Trans. Image Process. 17(5), 2008).
///
/// Work is proportional to the number of runs, not pixels, once the rows are
/// scanned (eight bytes at a time where they are uniform). Labels run from 1
/// in raster order of each component's first pixel, so the numbering is
/// deterministic.
enum ConnectedComponents {
  /// A horizontal run of set pixels: row `y`, columns `start ..< end`.
  struct Run: Equatable {
    var y: Int
    var start: Int
    var end: Int
    /// The component, from 1.
    var label: Int
  }

  /// Size and extent of one component, in the labelled window's coordinates
  /// (`maxX` and `maxY` inclusive).
  struct Component: Equatable {
    var area = 0
    var minX = Int.max
    var minY = Int.max
    var maxX = Int.min
    var maxY = Int.min
    var sumX = 0
    var sumY = 0
  }

  /// Labels the pixels of a `width x height` window whose row `y` starts at
  /// `pixels + y * rowStride`; a pixel is set when non-zero.
  ///
  /// - Returns: The runs in raster order, each with its component's label,
  ///   and the components (`components[label - 1]`).
  static func label(
    _ pixels: UnsafePointer<UInt8>, width: Int, height: Int, rowStride: Int
  ) -> (runs: [Run], components: [Component]) {
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
        x = skip(row, from: x, width: width, set: false)
        guard x < width else { break }
        let end = skip(row, from: x, width: width, set: true)
        runs.append(Run(y: y, start: x, end: end, label: 0))
        x = end
      }
      // Join with runs of the row above that touch (8-connectivity).
      var k = previousRow.lowerBound
      for r in rowStart..<runs.count {
        let start = runs[r].start
        let end = runs[r].end
        while k < previousRow.upperBound && runs[k].end < start { k += 1 }
        var j = k
        var label = 0
        while j < previousRow.upperBound && runs[j].start <= end {
          let other = find(runs[j].label)
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
        runs[r].label = label
      }
      previousRow = rowStart..<runs.count
    }

    // Resolve labels, numbered by first appearance, and measure.
    var final = [Int](repeating: 0, count: parent.count)
    var components: [Component] = []
    for r in runs.indices {
      let root = find(runs[r].label)
      if final[root] == 0 {
        components.append(Component())
        final[root] = components.count
      }
      let label = final[root]
      runs[r].label = label
      let run = runs[r]
      let length = run.end - run.start
      var c = components[label - 1]
      c.area += length
      c.minX = min(c.minX, run.start)
      c.maxX = max(c.maxX, run.end - 1)
      c.minY = min(c.minY, run.y)
      c.maxY = max(c.maxY, run.y)
      c.sumX += (run.start + run.end - 1) * length / 2
      c.sumY += run.y * length
      components[label - 1] = c
    }
    return (runs, components)
  }

  /// The first column at or after `x` whose pixel is not in the state `set`
  /// (or `width`), stepping over eight uniform bytes at a time.
  @inline(__always)
  static func skip(_ row: UnsafePointer<UInt8>, from x: Int, width: Int, set: Bool) -> Int {
    var x = x
    let uniform: UInt64 = set ? 0xFFFF_FFFF_FFFF_FFFF : 0
    while x + 8 <= width {
      let word = UnsafeRawPointer(row + x).loadUnaligned(as: UInt64.self)
      if set ? word != uniform : word != 0 { break }
      x += 8
    }
    if set {
      while x < width && row[x] != 0 { x += 1 }
    } else {
      while x < width && row[x] == 0 { x += 1 }
    }
    return x
  }
}
