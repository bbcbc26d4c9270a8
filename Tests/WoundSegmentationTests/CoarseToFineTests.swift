import Foundation
import Testing
import WoundCore
import WoundImaging

@testable import WoundSegmentation

/// The shipped model through both passes: the Swift runtime agrees with the Python
/// evaluation (`training/evaluate_c2f.py`, written by `training/export.py --fine-pass`
/// into `Fixtures/reference-fine/`), and the two hard cases of the validation part, a
/// black eschar and a slough rim (`Fixtures/hard/`, see
/// `tools/fixtures/make_hard_outline_fixtures.py`), are outlined above their floors.
@Suite struct CoarseToFineTests {
  static let model = Result { try SegmentationModel.bundled() }

  /// The Dice floors of the hard cases: the figures measured with the shipped model
  /// (see docs/segmentation-model.md) less a margin of about 0.05.
  /// Measured with the shipped model: 0420-eschar 0.894, 0530-slough-rim 0.961 (the first
  /// model, one pass: 0.883 and 0.963).
  static let hardFloors: [String: Double] = ["0420-eschar": 0.84, "0530-slough-rim": 0.91]

  static func fixture(_ path: String) throws -> String {
    try #require(Bundle.module.url(forResource: "Fixtures/\(path)", withExtension: nil)).path
  }

  static func binaryMask(_ path: String) throws -> Mask {
    let decoded = try PhotoDecoder.decode(path: path).image
    var mask = Mask(width: decoded.width, height: decoded.height)
    for i in 0..<(decoded.width * decoded.height) where decoded.pixels[3 * i] > 127 { mask.pixels[i] = 255 }
    return mask
  }

  @Test func theShippedModelRunsTwoPasses() throws {
    let model = try Self.model.get()
    #expect(model.finePass == FinePassRule(marginFactor: 2.5, minimumSidePixels: 48, cropSizePixels: 256))
  }

  @Test func swiftAgreesWithThePythonEvaluationOnEveryFixture() throws {
    let model = try Self.model.get()
    let meta =
      try JSONSerialization.jsonObject(
        with: Data(contentsOf: URL(fileURLWithPath: Self.fixture("reference-fine/reference.json")))) as? [String: Any]
    let expectedSha = try #require(meta?["modelSHA256"] as? String)
    let counts = try #require(meta?["woundPixels"] as? [String: Int])
    #expect(!counts.isEmpty)
    let modelSha = model.fileSHA256
    #expect(modelSha == expectedSha, "the references were made with another model file; re-run training/export.py")
    for (name, _) in counts.sorted(by: { $0.key < $1.key }) {
      let folder = name.hasPrefix("0420") || name.hasPrefix("0530") ? "hard" : "validation"
      let photo = try PhotoDecoder.decode(path: Self.fixture("\(folder)/\(name).jpg")).image
      let python = try Self.binaryMask(Self.fixture("reference-fine/\(name).png"))
      let swift = try Segmenter.segment(image: photo, excluding: [], hints: .none, model: model).mask
      let agreement = ValidationTests.dice(swift, python)
      print("coarse to fine \(name): Swift against Python Dice \(String(format: "%.4f", agreement))")
      #expect(agreement >= 0.999, "\(name): Swift and Python outlines agree only to Dice \(agreement)")
    }
  }

  @Test func hardCasesAreOutlinedAboveTheirFloors() throws {
    let model = try Self.model.get()
    for (name, floor) in Self.hardFloors.sorted(by: { $0.key < $1.key }) {
      let photo = try PhotoDecoder.decode(path: Self.fixture("hard/\(name).jpg")).image
      let truth = try Self.binaryMask(Self.fixture("hard/\(name)-mask.png"))
      let result = try Segmenter.segment(image: photo, excluding: [], hints: .none, model: model)
      let score = ValidationTests.dice(result.mask, truth)
      print("hard case \(name): Dice \(String(format: "%.3f", score))")
      #expect(score >= floor, "\(name): Dice \(score) below \(floor)")
    }
  }
}
