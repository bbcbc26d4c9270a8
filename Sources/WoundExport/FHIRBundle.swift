import Crypto
import FoundationEssentials
import WoundCore
import WoundTimeline

#if canImport(Glibc)
  import Glibc
#endif

/// A patient's timeline as an HL7 FHIR R4 (4.0.1) Bundle of type `collection`.
///
/// Per measured photo one `Observation` (LOINC 72287-6 wound size panel, with the
/// area 89260-4 in cm2, length 39126-8 and width 39125-0 in cm as components, UCUM
/// units) and one `Media` it is derived from, which identifies the photo by its
/// SHA-256. Corrections follow the record: a photo's Observation is its latest
/// version (status `amended` when that is an amendment, its earlier entry ids kept as
/// `old` identifiers), a withdrawn measurement is `entered-in-error`, an area of 0
/// that nobody confirmed as closure is `preliminary`, every other one `final`. The
/// mapping and what each field holds are in `docs/outputs.md`.
///
/// The output is deterministic: resource ids and `urn:uuid:` full URLs derive from
/// the entry ids, and the bundle's timestamp is the latest `measuredAt`.
package enum FHIRBundle {
  /// The identifier system of patient IDs when none is given.
  package static let defaultPatientSystem = "urn:woundmeasure:patient"
  /// The identifier system of timeline entry ids.
  package static let entrySystem = "urn:woundmeasure:entry"
  /// The identifier system of photo SHA-256 digests (64 lowercase hex digits).
  package static let photoSha256System = "urn:woundmeasure:photo-sha256"
  static let loinc = "http://loinc.org"
  static let ucum = "http://unitsofmeasure.org"

  /// The bundle as pretty-printed JSON with sorted keys.
  ///
  /// - Parameters:
  ///   - timeline: the patient's timeline.
  ///   - woundSite: only this site's entries, or every site when `nil`.
  ///   - patientSystem: the identifier system the patient ID belongs to (a URI).
  package static func json(timeline: Timeline, woundSite: String? = nil, patientSystem: String = defaultPatientSystem)
    -> Data
  {
    bundle(timeline: timeline, woundSite: woundSite, patientSystem: patientSystem).encoded()
  }

  /// One exported measurement: the entry whose figures are given and its FHIR status.
  struct Exported {
    var entry: TimelineEntry
    var status: String
    /// Ids of the earlier versions it replaces, oldest first.
    var earlierIds: [String]
    /// Why it was corrected or withdrawn.
    var reasons: [String]
  }

  /// The measurements to export, in order of `takenAt` (ties in append order).
  static func exported(_ timeline: Timeline, woundSite: String?) -> [Exported] {
    let status = timeline.statuses()
    let byId = Dictionary(timeline.entries.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    func history(_ entry: TimelineEntry) -> (ids: [String], reasons: [String]) {
      var ids: [String] = []
      var reasons: [String] = []
      var current = entry
      while current.effectiveKind == .amendment, let amends = current.amends, let previous = byId[amends.entryId],
        !ids.contains(previous.id)
      {
        ids.insert(previous.id, at: 0)
        reasons.insert(amends.reason, at: 0)
        current = previous
      }
      return (ids, reasons)
    }
    var out: [(Int, Exported)] = []
    for (index, entry) in timeline.entries.enumerated() where woundSite == nil || entry.woundSite == woundSite {
      guard entry.effectiveKind != .void else { continue }
      switch status[entry.id] {
      case .standing?:
        let (ids, reasons) = history(entry)
        let unconfirmedZero = entry.results.areaCm2 == 0 && entry.closureConfirmed != true
        let fhirStatus = unconfirmedZero ? "preliminary" : (entry.effectiveKind == .amendment ? "amended" : "final")
        out.append((index, Exported(entry: entry, status: fhirStatus, earlierIds: ids, reasons: reasons)))
      case .voided(let voidId)?:
        // The version that stood when it was withdrawn: no later amendment of it was voided with it.
        let isLatest = !timeline.entries.contains {
          $0.effectiveKind == .amendment && $0.amends?.entryId == entry.id && status[$0.id] == .voided(by: voidId)
        }
        guard isLatest else { continue }
        var (ids, reasons) = history(entry)
        if let void = byId[voidId], let reason = void.amends?.reason { reasons.append("withdrawn: \(reason)") }
        ids = ids.filter { $0 != entry.id }
        out.append((index, Exported(entry: entry, status: "entered-in-error", earlierIds: ids, reasons: reasons)))
      default:
        continue
      }
    }
    return out.sorted { ($0.1.entry.takenAt, $0.0) < ($1.1.entry.takenAt, $1.0) }.map(\.1)
  }

  static func bundle(timeline: Timeline, woundSite: String?, patientSystem: String) -> JSONValue {
    let patient: JSONValue = ["identifier": ["system": .string(patientSystem), "value": .string(timeline.patient)]]
    var entries: [JSONValue] = []
    for item in exported(timeline, woundSite: woundSite) {
      let entry = item.entry
      let mediaURL = "urn:uuid:" + uuid("media:" + entry.id)
      entries.append(["fullUrl": .string(mediaURL), "resource": media(entry, patient: patient)])
      entries.append([
        "fullUrl": .string("urn:uuid:" + uuid("observation:" + entry.id)),
        "resource": observation(item, patient: patient, mediaURL: mediaURL),
      ])
    }
    let latest = timeline.entries.map(\.measuredAt).max()
    var bundle: [String: JSONValue] = [
      "resourceType": "Bundle",
      "type": "collection",
      "identifier": [
        "system": "urn:woundmeasure:timeline", "value": .string("\(timeline.patient):\(timeline.lastHash)"),
      ],
      "entry": .array(entries),
    ]
    if let latest { bundle["timestamp"] = .string(UTCTime.iso8601(latest)) }
    return .object(bundle)
  }

  static func observation(_ item: Exported, patient: JSONValue, mediaURL: String) -> JSONValue {
    let entry = item.entry
    let r = entry.results
    var identifiers: [JSONValue] = [["use": "official", "system": .string(entrySystem), "value": .string(entry.id)]]
    for id in item.earlierIds {
      identifiers.append(["use": "old", "system": .string(entrySystem), "value": .string(id)])
    }
    var components: [JSONValue] = [
      loincComponent("89260-4", text: "Wound area", value: rounded(r.areaCm2, 4), unit: "cm2"),
      loincComponent(
        "39126-8", text: "Wound length (maximum Feret diameter)", value: rounded(r.lengthCm, 3), unit: "cm"),
      loincComponent(
        "39125-0", text: "Wound width (perpendicular to the length)", value: rounded(r.widthCm, 3), unit: "cm"),
      textComponent("Wound perimeter", value: rounded(r.perimeterCm, 3), unit: "cm"),
      textComponent("Open wound area (not epithelialised)", value: rounded(r.openAreaCm2, 4), unit: "cm2"),
    ]
    if let tissue = r.tissue {
      for (name, share) in [
        ("granulation", tissue.granulation), ("slough", tissue.slough),
        ("necrosis", tissue.necrosis), ("epithelium", tissue.epithelium),
      ] {
        components.append(textComponent("Share of the wound area: \(name)", value: rounded(share * 100, 2), unit: "%"))
      }
    }
    var notes: [JSONValue] = []
    for (id, reason) in zip(item.earlierIds, item.reasons) {
      notes.append(["text": .string("corrects entry \(id): \(reason)")])
    }
    for reason in item.reasons.dropFirst(item.earlierIds.count) { notes.append(["text": .string(reason)]) }
    if entry.closureConfirmed == true {
      notes.append(["text": "closure confirmed by the operator; recorded with area 0"])
    }
    if item.status == "preliminary" {
      notes.append(["text": "area 0 that nobody confirmed as closure: needs a person's review"])
    }
    if let type = entry.woundType { notes.append(["text": .string("wound type: \(type.displayName)")]) }
    if r.regionCount > 1 {
      notes.append(["text": .string("\(r.regionCount) separate wound regions in the photo; figures are their totals")])
    }
    for warning in entry.warnings { notes.append(["text": .string("warning: \(warning)")]) }
    var device = "woundmeasure \(entry.tool.version)"
    if let model = entry.tool.segmentationModelSha256 { device += ", segmentation model SHA-256 \(model)" }
    var observation: [String: JSONValue] = [
      "resourceType": "Observation",
      "id": .string("wm-observation-" + entry.id),
      "identifier": .array(identifiers),
      "status": .string(item.status),
      "category": [
        [
          "coding": [
            [
              "system": "http://terminology.hl7.org/CodeSystem/observation-category",
              "code": "exam", "display": "Exam",
            ]
          ]
        ]
      ],
      "code": ["coding": [["system": .string(loinc), "code": "72287-6"]], "text": "Wound size panel"],
      "subject": patient,
      "effectiveDateTime": .string(UTCTime.iso8601(entry.takenAt)),
      "issued": .string(UTCTime.iso8601(entry.measuredAt)),
      "bodySite": ["text": .string(entry.woundSite)],
      "method": ["text": .string(methodText(entry))],
      "device": ["display": .string(device)],
      "derivedFrom": [["reference": .string(mediaURL)]],
      "component": .array(components),
    ]
    if !notes.isEmpty { observation["note"] = .array(notes) }
    return .object(observation)
  }

  static func media(_ entry: TimelineEntry, patient: JSONValue) -> JSONValue {
    let format = entry.settings.other?["photoFormat"] ?? ""
    let contentType =
      ["jpeg": "image/jpeg", "png": "image/png", "heic": "image/heic"][format] ?? "application/octet-stream"
    var media: [String: JSONValue] = [
      "resourceType": "Media",
      "id": .string("wm-photo-" + entry.id),
      "identifier": [["system": .string(photoSha256System), "value": .string(entry.photo.sha256)]],
      "status": "completed",
      "type": [
        "coding": [
          [
            "system": "http://terminology.hl7.org/CodeSystem/media-type", "code": "image",
            "display": "Image",
          ]
        ]
      ],
      "subject": patient,
      "createdDateTime": .string(UTCTime.iso8601(entry.takenAt)),
      "bodySite": ["text": .string(entry.woundSite)],
      "content": [
        "contentType": .string(contentType), "size": .number(Double(entry.photo.byteSize)),
        "title": .string(entry.photo.path),
      ],
    ]
    if let size = entry.settings.other?["displayedSizePixels"]?.split(separator: "x").compactMap({ Int($0) }),
      size.count == 2, size[0] > 0, size[1] > 0
    {
      media["width"] = .number(Double(size[0]))
      media["height"] = .number(Double(size[1]))
    }
    return .object(media)
  }

  static func methodText(_ entry: TimelineEntry) -> String {
    let scale: String
    switch entry.settings.calibration.method {
    case .marker: scale = "AprilTag marker \(entry.settings.markerId.map(String.init) ?? "?") in the wound's plane"
    case .scale: scale = "a given scale"
    case .ruler: scale = "two ruler points"
    }
    let outline = entry.settings.maskPath == nil ? "segmented by the model" : "traced (mask given)"
    return "Planimetry of a calibrated photo: scale from \(scale), outline \(outline), "
      + "measured in the marker's plane"
  }

  static func loincComponent(_ code: String, text: String, value: Double, unit: String) -> JSONValue {
    [
      "code": ["coding": [["system": .string(loinc), "code": .string(code)]], "text": .string(text)],
      "valueQuantity": quantity(value, unit),
    ]
  }

  static func textComponent(_ text: String, value: Double, unit: String) -> JSONValue {
    ["code": ["text": .string(text)], "valueQuantity": quantity(value, unit)]
  }

  static func quantity(_ value: Double, _ unit: String) -> JSONValue {
    ["value": .number(value), "unit": .string(unit), "system": .string(ucum), "code": .string(unit)]
  }

  static func rounded(_ value: Double, _ decimals: Int) -> Double {
    let scale = pow(10, Double(decimals))
    return (value * scale).rounded() / scale
  }

  /// A name-based UUID from SHA-256 (version 8, RFC 9562), lowercase: the same name gives the same UUID.
  static func uuid(_ name: String) -> String {
    var bytes = Array(SHA256.hash(data: Data(("woundmeasure:" + name).utf8)).prefix(16))
    bytes[6] = (bytes[6] & 0x0F) | 0x80  // version 8: custom, name-based
    bytes[8] = (bytes[8] & 0x3F) | 0x80  // RFC 4122 variant
    let hex = bytes.map { cFormat("%02x", $0) }.joined()
    let parts = [
      hex.prefix(8), hex.dropFirst(8).prefix(4), hex.dropFirst(12).prefix(4), hex.dropFirst(16).prefix(4),
      hex.dropFirst(20),
    ]
    return parts.joined(separator: "-")
  }
}
