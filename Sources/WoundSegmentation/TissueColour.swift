import FoundationEssentials
import WoundCore

#if canImport(Glibc)
  import Glibc
#endif

/// Colour normalisation and CIELAB conversion for the tissue classifier.
enum TissueColour {
  /// The least white-minus-black difference, per channel, for a colour
  /// reference to be used; below it the reference is ignored and grey world
  /// is used instead.
  static let minimumReferenceContrast = 40.0
  /// The level the marker's black is mapped to, in every channel.
  static let referenceBlackLevel = 30.0
  /// The level the marker's white is mapped to, in every channel.
  static let referenceWhiteLevel = 225.0
  /// Bounds on the grey-world channel gains, so that a photo dominated by one
  /// colour (a close-up of red granulation) is not pushed to grey.
  static let greyWorldGainRange = 0.5...2.0
  /// Grey world averages at most about this many pixels (an even subsample).
  static let greyWorldSamples = 1 << 18

  /// A per-channel affine map `out = in * gain + offset`, clamped to 0...255.
  struct Correction: Equatable {
    var gain: (red: Double, green: Double, blue: Double)
    var offset: (red: Double, green: Double, blue: Double)

    static func == (lhs: Correction, rhs: Correction) -> Bool {
      lhs.gain == rhs.gain && lhs.offset == rhs.offset
    }

    /// The correction for `image`: from `reference` when it is usable,
    /// otherwise grey world.
    init(image: RGBImage, reference: ColourReference?) {
      if let reference, let fromReference = Correction(reference: reference) {
        self = fromReference
      } else {
        self = Correction(greyWorldOf: image)
      }
    }

    /// Maps the marker's black to ``referenceBlackLevel`` and its white to
    /// ``referenceWhiteLevel`` in each channel; `nil` when the reference does
    /// not hold three finite channels with enough contrast.
    init?(reference: ColourReference) {
      let white = reference.white
      let black = reference.black
      guard white.count == 3, black.count == 3, (white + black).allSatisfy(\.isFinite) else { return nil }
      guard zip(white, black).allSatisfy({ $0 - $1 >= TissueColour.minimumReferenceContrast }) else { return nil }
      let span = TissueColour.referenceWhiteLevel - TissueColour.referenceBlackLevel
      let gains = zip(white, black).map { span / ($0 - $1) }
      let offsets = zip(gains, black).map { TissueColour.referenceBlackLevel - $0 * $1 }
      gain = (gains[0], gains[1], gains[2])
      offset = (offsets[0], offsets[1], offsets[2])
    }

    /// Grey world: per-channel gains that make the photo's mean colour
    /// neutral at its mean level, clamped to ``greyWorldGainRange``.
    init(greyWorldOf image: RGBImage) {
      let count = image.width * image.height
      var sums = (red: 0, green: 0, blue: 0)
      var samples = 0
      if count > 0 {
        let step = max(1, count / TissueColour.greyWorldSamples)
        image.pixels.withUnsafeBufferPointer { pixels in
          var i = 0
          while i < count {
            sums.red += Int(pixels[3 * i])
            sums.green += Int(pixels[3 * i + 1])
            sums.blue += Int(pixels[3 * i + 2])
            samples += 1
            i += step
          }
        }
      }
      let means = [sums.red, sums.green, sums.blue].map { Double($0) / Double(max(1, samples)) }
      let level = means.reduce(0, +) / 3
      let range = TissueColour.greyWorldGainRange
      let gains = means.map { mean in
        mean > 0 ? min(range.upperBound, max(range.lowerBound, level / mean)) : (level > 0 ? range.upperBound : 1)
      }
      gain = (gains[0], gains[1], gains[2])
      offset = (0, 0, 0)
    }

    /// Applies the map to one colour (channels 0...255), clamping to 0...255.
    func apply(_ rgb: (red: Double, green: Double, blue: Double)) -> (red: Double, green: Double, blue: Double) {
      (
        min(255, max(0, rgb.red * gain.red + offset.red)),
        min(255, max(0, rgb.green * gain.green + offset.green)),
        min(255, max(0, rgb.blue * gain.blue + offset.blue))
      )
    }
  }

  /// CIELAB of an sRGB colour (channels 0...255), D65 reference white.
  ///
  /// The sRGB transfer curve and matrix of IEC 61966-2-1; the CIE 1976 L*a*b*
  /// formulas with the exact constants 216/24389 and 24389/27.
  static func lab(red: Double, green: Double, blue: Double) -> (l: Double, a: Double, b: Double) {
    let r = linear(red / 255)
    let g = linear(green / 255)
    let b = linear(blue / 255)
    let x = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047
    let y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b
    let z = (0.0193339 * r + 0.1191920 * g + 0.9503041 * b) / 1.08883
    let fx = f(x)
    let fy = f(y)
    let fz = f(z)
    return (116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz))
  }

  private static func linear(_ c: Double) -> Double {
    c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4)
  }

  private static func f(_ t: Double) -> Double {
    t > 216.0 / 24389.0 ? cbrt(t) : (24389.0 / 27.0 * t + 16) / 116
  }
}
