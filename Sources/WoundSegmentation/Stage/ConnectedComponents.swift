/// 8-connected component labelling of a binary image (two passes with
/// union-find; see Wu, Otoo & Suzuki, "Optimizing two-pass connected-component
/// labeling algorithms", Pattern Anal. Appl. 2009).
///
/// Labels run from 1 in raster order of each component's first pixel, so the
/// numbering is deterministic; 0 is background.
enum ConnectedComponents {
  /// Size and extent of one component, in the labelled image's coordinates.
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
  /// - Returns: One label per pixel (row-major, `width` per row) and the
  ///   components, `components[label - 1]`.
  static func label(
    _ pixels: UnsafePointer<UInt8>, width: Int, height: Int, rowStride: Int
  ) -> (labels: [Int32], components: [Component]) {
    var labels = [Int32](repeating: 0, count: width * height)
    var parent: [Int32] = [0]
    func find(_ x: Int32) -> Int32 {
      var root = x
      while parent[Int(root)] != root { root = parent[Int(root)] }
      var node = x
      while parent[Int(node)] != root {
        let next = parent[Int(node)]
        parent[Int(node)] = root
        node = next
      }
      return root
    }
    func union(_ a: Int32, _ b: Int32) -> Int32 {
      let ra = find(a)
      let rb = find(b)
      if ra == rb { return ra }
      let (low, high) = ra < rb ? (ra, rb) : (rb, ra)
      parent[Int(high)] = low
      return low
    }
    labels.withUnsafeMutableBufferPointer { l in
      for y in 0..<height {
        let row = pixels + y * rowStride
        for x in 0..<width where row[x] != 0 {
          var current: Int32 = 0
          // Already-visited neighbours: left, up-left, up, up-right.
          if x > 0, l[y * width + x - 1] != 0 { current = l[y * width + x - 1] }
          if y > 0 {
            let above = (y - 1) * width
            for dx in -1...1 {
              let nx = x + dx
              guard nx >= 0, nx < width else { continue }
              let neighbour = l[above + nx]
              if neighbour != 0 { current = current == 0 ? neighbour : union(current, neighbour) }
            }
          }
          if current == 0 {
            current = Int32(parent.count)
            parent.append(current)
          }
          l[y * width + x] = current
        }
      }
    }
    // Second pass: final labels numbered by first appearance.
    var final = [Int32](repeating: 0, count: parent.count)
    var components: [Component] = []
    labels.withUnsafeMutableBufferPointer { l in
      for y in 0..<height {
        for x in 0..<width where l[y * width + x] != 0 {
          let root = Int(find(l[y * width + x]))
          if final[root] == 0 {
            components.append(Component())
            final[root] = Int32(components.count)
          }
          let label = final[root]
          l[y * width + x] = label
          let k = Int(label) - 1
          components[k].area += 1
          components[k].minX = min(components[k].minX, x)
          components[k].minY = min(components[k].minY, y)
          components[k].maxX = max(components[k].maxX, x)
          components[k].maxY = max(components[k].maxY, y)
          components[k].sumX += x
          components[k].sumY += y
        }
      }
    }
    return (labels, components)
  }
}
