import Testing

@testable import WoundCore

/// Photo-sized buffers asked to be backed by huge pages hold exactly the values they were made with.
@Suite struct LargeBuffersTests {
  @Test(arguments: [0, 17, LargeBuffers.minimumBytes - 1, LargeBuffers.minimumBytes, 12_000_001])
  func filledBuffersHoldTheirValue(count: Int) {
    let bytes = LargeBuffers.bytes(repeating: 7, count: count)
    #expect(bytes.count == count)
    #expect(bytes.allSatisfy { $0 == 7 })
  }

  @Test func photoSizedImagesStartCleared() {
    let grey = GreyImage(width: 4000, height: 3000)
    #expect(grey.pixels.count == 12_000_000 && grey.pixels.allSatisfy { $0 == 0 })
    let white = GreyImage(width: 3000, height: 2000, value: 255)
    #expect(white.pixels.allSatisfy { $0 == 255 })
    let rgb = RGBImage(width: 2000, height: 1500)
    #expect(rgb.pixels.count == 9_000_000 && rgb.pixels.allSatisfy { $0 == 0 })
  }

  /// An unaligned start and a length that is no multiple of the page size are advised
  /// over their aligned interior only: the memory around stays readable and writable.
  @Test func adviceOnAnUnalignedRangeLeavesTheBufferUsable() {
    let count = 9 << 20
    let buffer = UnsafeMutableRawPointer.allocate(byteCount: count, alignment: 64)
    defer { buffer.deallocate() }
    LargeBuffers.adviseHugePages(buffer + 3, bytes: count - 1000)
    buffer.initializeMemory(as: UInt8.self, repeating: 9, count: count)
    let bytes = UnsafeBufferPointer(start: buffer.assumingMemoryBound(to: UInt8.self), count: count)
    #expect(bytes.first == 9 && bytes.last == 9 && bytes[count / 2] == 9)
  }
}
