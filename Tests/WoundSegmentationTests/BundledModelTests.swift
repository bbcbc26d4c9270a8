import Crypto
import Foundation
import Testing
import WoundCore
import WoundImaging

@testable import WoundSegmentation

/// The model shipped with the package against the probabilities PyTorch
/// computed for the same pixels and the same rounded weights.
@Suite struct BundledModelTests {
  static func fixture(_ name: String) throws -> URL {
    let url = try #require(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil))
    return url
  }

  @Test func bundledModelLoads() throws {
    let model = try SegmentationModel.bundled()
    #expect(model.fileName.hasSuffix("wound-segmentation.wmseg"))
    #expect(model.sizeMultiplePixels == 32)
    #expect(model.inputChannels == 3)
    let url = try #require(SegmentationModel.bundledURL)
    let digest = SHA256.hash(data: try Data(contentsOf: url)).map { String(format: "%02x", $0) }.joined()
    #expect(model.fileSHA256 == digest)
  }

  @Test func matchesPyTorchReference() throws {
    let info =
      try JSONSerialization.jsonObject(with: Data(contentsOf: Self.fixture("reference.json"))) as! [String: Any]
    let width = info["width"] as! Int
    let height = info["height"] as! Int
    let model = try SegmentationModel.bundled()
    let expectedBytes = info["modelBytes"] as! Int
    try #require(
      try Data(contentsOf: #require(SegmentationModel.bundledURL)).count == expectedBytes,
      "the fixtures were exported for a different model file; re-export them with the model")

    let photo = try PhotoDecoder.decode(path: Self.fixture("reference-input.png").path)
    #expect(photo.image.width == width && photo.image.height == height)
    let data = try Data(contentsOf: Self.fixture("reference-probabilities.f32"))
    let expected: [Float] = data.withUnsafeBytes { raw in
      (0..<(width * height)).map {
        Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self)))
      }
    }
    let probabilities = try model.probabilities(for: photo.image)
    let difference = maxAbsDifference(probabilities, expected)
    #expect(difference.value <= 1e-4, "worst at pixel \(difference.index % width),\(difference.index / width)")
    // Bit-identical on a second run.
    #expect(try model.probabilities(for: photo.image) == probabilities)
  }
}
