/// Raw DEFLATE decompression (RFC 1951), for the zip archives ImageJ's ROI Manager
/// saves (Java's `ZipOutputStream` deflates every entry).
///
/// Canonical Huffman decoding by code length counts, as in Mark Adler's `puff.c`
/// (zlib's `contrib/puff`), the reference decoder written for reading, not speed.
enum Inflate {
  /// The decompressed bytes, or `nil` for damaged data or output larger than
  /// `expectedSize` (a zip entry's recorded size).
  static func decompress(_ input: [UInt8], expectedSize: Int) -> [UInt8]? {
    var state = State(input: input, limit: expectedSize)
    return state.run() ? state.output : nil
  }

  /// A Huffman code: how many codes of each length 0...15, and the symbols in code order.
  struct Huffman {
    var counts = [Int](repeating: 0, count: 16)
    var symbols: [Int] = []

    /// Builds the code from per-symbol lengths; `nil` when the lengths over-subscribe it.
    init?(lengths: [Int]) {
      for length in lengths { counts[length] += 1 }
      var left = 1
      for length in 1..<16 {
        left = left << 1 - counts[length]
        if left < 0 { return nil }
      }
      var offsets = [Int](repeating: 0, count: 16)
      for length in 1..<15 { offsets[length + 1] = offsets[length] + counts[length] }
      symbols = [Int](repeating: 0, count: lengths.count)
      for (symbol, length) in lengths.enumerated() where length != 0 {
        symbols[offsets[length]] = symbol
        offsets[length] += 1
      }
    }
  }

  static let lengthBase = [
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115,
    131, 163, 195, 227, 258,
  ]
  static let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
  static let distanceBase = [
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
    2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
  ]
  static let distanceExtra = [
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12,
    13, 13,
  ]
  /// The order in which code length code lengths are stored.
  static let lengthOrder = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

  struct State {
    let input: [UInt8]
    let limit: Int
    var position = 0
    var bitBuffer = 0
    var bitCount = 0
    var output: [UInt8] = []
    var failed = false

    init(input: [UInt8], limit: Int) {
      self.input = input
      self.limit = limit
    }

    mutating func bits(_ n: Int) -> Int {
      var value = bitBuffer
      while bitCount < n {
        guard position < input.count else {
          failed = true
          return 0
        }
        value |= Int(input[position]) << bitCount
        position += 1
        bitCount += 8
      }
      bitBuffer = value >> n
      bitCount -= n
      return value & (1 << n - 1)
    }

    mutating func decode(_ h: Huffman) -> Int {
      var code = 0
      var first = 0
      var index = 0
      for length in 1..<16 {
        code |= bits(1)
        if failed { return -1 }
        let count = h.counts[length]
        if code - count < first { return h.symbols[index + (code - first)] }
        index += count
        first = (first + count) << 1
        code <<= 1
      }
      failed = true
      return -1
    }

    mutating func run() -> Bool {
      var last = 0
      repeat {
        last = bits(1)
        let type = bits(2)
        if failed { return false }
        switch type {
        case 0: if !stored() { return false }
        case 1:
          var lengths = [Int](repeating: 8, count: 288)
          for i in 144..<256 { lengths[i] = 9 }
          for i in 256..<280 { lengths[i] = 7 }
          guard let literal = Huffman(lengths: lengths),
            let distance = Huffman(lengths: [Int](repeating: 5, count: 30)),
            codes(literal, distance)
          else { return false }
        case 2: if !dynamic() { return false }
        default: return false
        }
      } while last == 0
      return !failed
    }

    mutating func stored() -> Bool {
      bitBuffer = 0
      bitCount = 0
      guard position + 4 <= input.count else { return false }
      let length = Int(input[position]) | Int(input[position + 1]) << 8
      let complement = Int(input[position + 2]) | Int(input[position + 3]) << 8
      position += 4
      guard length == (~complement & 0xFFFF), position + length <= input.count, output.count + length <= limit
      else { return false }
      output.append(contentsOf: input[position..<(position + length)])
      position += length
      return true
    }

    mutating func dynamic() -> Bool {
      let literalCount = bits(5) + 257
      let distanceCount = bits(5) + 1
      let codeCount = bits(4) + 4
      if failed || literalCount > 286 || distanceCount > 30 { return false }
      var lengths = [Int](repeating: 0, count: 19)
      for i in 0..<codeCount { lengths[Self.order[i]] = bits(3) }
      guard let lengthCode = Huffman(lengths: lengths) else { return false }
      var all: [Int] = []
      while all.count < literalCount + distanceCount {
        let symbol = decode(lengthCode)
        if failed || symbol < 0 { return false }
        if symbol < 16 {
          all.append(symbol)
        } else {
          var repeatValue = 0
          var times = 0
          switch symbol {
          case 16:
            guard let previous = all.last else { return false }
            repeatValue = previous
            times = 3 + bits(2)
          case 17: times = 3 + bits(3)
          default: times = 11 + bits(7)
          }
          if all.count + times > literalCount + distanceCount { return false }
          all.append(contentsOf: repeatElement(repeatValue, count: times))
        }
      }
      guard all[256] != 0, let literal = Huffman(lengths: Array(all[0..<literalCount])),
        let distance = Huffman(lengths: Array(all[literalCount...]))
      else { return false }
      return codes(literal, distance)
    }

    static let order = Inflate.lengthOrder

    mutating func codes(_ literal: Huffman, _ distance: Huffman) -> Bool {
      while true {
        let symbol = decode(literal)
        if failed || symbol < 0 { return false }
        if symbol < 256 {
          guard output.count < limit else { return false }
          output.append(UInt8(symbol))
        } else if symbol == 256 {
          return true
        } else {
          let s = symbol - 257
          guard s < 29 else { return false }
          let length = Inflate.lengthBase[s] + bits(Inflate.lengthExtra[s])
          let d = decode(distance)
          guard !failed, d >= 0, d < 30 else { return false }
          let back = Inflate.distanceBase[d] + bits(Inflate.distanceExtra[d])
          guard !failed, back <= output.count, output.count + length <= limit else { return false }
          let start = output.count - back
          for i in 0..<length { output.append(output[start + i]) }
        }
      }
    }
  }
}
