import WoundCalibration
import WoundImaging

/// Why a photo could not be measured. Every case names the file; the
/// description reads `<file>: <reason>`.
package enum MeasurementError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The photo (or mask) file could not be read.
  case unreadable(file: String, reason: String)
  /// The photo could not be decoded (the decoder's error names the file).
  case decoding(DecodeError)
  /// No scale could be found for the photo.
  case calibration(file: String, CalibrationError)
  /// The given mask could not be decoded.
  case maskDecoding(mask: String, DecodeError)
  /// The given ImageJ outline (`--outline`) could not be read, or holds no area.
  case outlineDecoding(outline: String, reason: String)
  /// The given mask's size differs from the photo's displayed size.
  case maskSizeMismatch(mask: String, maskWidth: Int, maskHeight: Int, photo: String, photoWidth: Int, photoHeight: Int)
  /// The segmentation model could not be loaded or run.
  case segmentation(file: String, reason: String)
  /// The photo's bytes changed between two reads (e.g. while a batch was running).
  case photoChanged(file: String)
  /// No wound was found and nobody confirmed that the wound is closed: the photo is
  /// not recorded (an area of 0 would read as healed).
  case noWoundFound(file: String)
  /// The photo's only date is the file's modification time, which a copy changes,
  /// and the caller asked not to accept it (`batch` without `--allow-file-time`).
  case takenTimeFromFileOnly(file: String, modificationTime: String)

  package var description: String {
    switch self {
    case .unreadable(let file, let reason):
      return "\(file): cannot read the file: \(reason)"
    case .decoding(let error):
      return error.description
    case .calibration(let file, let error):
      return "\(file): \(error.description)"
    case .maskDecoding(let mask, let error):
      return "\(mask): the mask could not be decoded: \(error.reason)"
    case .outlineDecoding(let outline, let reason):
      return "\(outline): the ImageJ outline could not be used: \(reason)"
    case .maskSizeMismatch(let mask, let mw, let mh, let photo, let pw, let ph):
      return "\(mask): the mask is \(mw)x\(mh) px but the photo \(photo) is displayed at \(pw)x\(ph) px; "
        + "a --mask must have the photo's displayed size (EXIF orientation applied)"
    case .segmentation(let file, let reason):
      return "\(file): segmentation failed: \(reason)"
    case .photoChanged(let file):
      return "\(file): the photo changed while it was being measured"
    case .noWoundFound(let file):
      return "\(file): no wound was found in the photo; not recorded. If the wound has closed, confirm it with "
        + "--closed (a 'closed' column of yes in a batch manifest); otherwise give --mask, --roi or --seed"
    case .takenTimeFromFileOnly(let file, let time):
      return "\(file): the photo has no EXIF capture time and no date in its file name; its file time "
        + "\(time) changes with every copy. Give the date (--taken, or a 'taken' column in a manifest), or "
        + "accept the file time with --allow-file-time"
    }
  }
}
