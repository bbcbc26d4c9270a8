import Foundation
import Testing
import WoundTimeline

@testable import WoundExport

/// A timeline of `entries` sealed in order.
func sealedTimeline(_ entries: [TimelineEntry]) throws -> Timeline {
  var timeline = Timeline(patient: "P001")
  for entry in entries { timeline.entries.append(try entry.sealed(previousHash: timeline.lastHash)) }
  return timeline
}

func day(_ n: Int) -> Date { Date(timeIntervalSince1970: 1_788_000_000 + Double(n) * 86_400) }

@Suite struct FHIRBundleTests {
  /// Four photos: one withdrawn, one corrected twice, one an unconfirmed area of 0, one plain.
  static func timeline() throws -> Timeline {
    var entries = (0..<4).map { TimelineEntry._example(index: $0, takenAt: day(7 * $0), areaCm2: 4 - Double($0)) }
    entries[3].results.areaCm2 = 0
    var partial = try sealedTimeline(entries)
    func correction(of id: String, kind: TimelineEntry.Kind, reason: String, from entry: TimelineEntry) throws {
      var next = entry
      next.kind = kind
      next.amends = TimelineEntry.Amends(entryId: id, reason: reason)
      next.measuredAt = next.measuredAt.addingTimeInterval(600)
      partial.entries.append(try next.sealed(previousHash: partial.lastHash))
    }
    try correction(of: partial.entries[0].id, kind: .void, reason: "another patient", from: partial.entries[0])
    var corrected = partial.entries[1]
    corrected.results.areaCm2 = 2.9
    try correction(of: partial.entries[1].id, kind: .amendment, reason: "rim left out", from: corrected)
    corrected.results.areaCm2 = 2.8
    try correction(of: partial.entries[5].id, kind: .amendment, reason: "traced again", from: corrected)
    return partial
  }

  @Test func statusesFollowTheRecord() throws {
    let timeline = try Self.timeline()
    let exported = FHIRBundle.exported(timeline, woundSite: nil)
    #expect(exported.map(\.status) == ["entered-in-error", "amended", "final", "preliminary"])
    #expect(exported[1].entry.id == timeline.entries[6].id)
    #expect(exported[1].earlierIds == [timeline.entries[1].id, timeline.entries[5].id])
    #expect(exported[1].reasons == ["rim left out", "traced again"])
    #expect(exported[0].reasons == ["withdrawn: another patient"])
  }

  @Test func theBundleHoldsAnObservationAndAMediaPerPhoto() throws {
    let timeline = try Self.timeline()
    let data = FHIRBundle.json(timeline: timeline, patientSystem: "urn:oid:1.2.3")
    let bundle = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    #expect(bundle["resourceType"] as? String == "Bundle")
    #expect(bundle["type"] as? String == "collection")
    let entries = try #require(bundle["entry"] as? [[String: Any]])
    let resources = entries.compactMap { $0["resource"] as? [String: Any] }
    #expect(
      resources.map { $0["resourceType"] as? String ?? "" }
        == Array(repeating: ["Media", "Observation"], count: 4).flatMap { $0 })
    let urls = Set(entries.compactMap { $0["fullUrl"] as? String })
    #expect(urls.count == 8 && urls.allSatisfy { $0.hasPrefix("urn:uuid:") })
    let observation = resources[3]
    let code = try #require((observation["code"] as? [String: Any])?["coding"] as? [[String: Any]])
    #expect(code.first?["system"] as? String == "http://loinc.org" && code.first?["code"] as? String == "72287-6")
    let components = try #require(observation["component"] as? [[String: Any]])
    let loinc = components.compactMap { c -> (String, Double, String)? in
      guard let coding = ((c["code"] as? [String: Any])?["coding"] as? [[String: Any]])?.first,
        let q = c["valueQuantity"] as? [String: Any]
      else { return nil }
      #expect(q["system"] as? String == "http://unitsofmeasure.org")
      return (coding["code"] as? String ?? "", q["value"] as? Double ?? -1, q["code"] as? String ?? "")
    }
    #expect(loinc.map(\.0) == ["89260-4", "39126-8", "39125-0"])
    #expect(loinc.map(\.2) == ["cm2", "cm", "cm"])
    #expect(loinc[0].1 == 2.8)
    let subject = try #require((observation["subject"] as? [String: Any])?["identifier"] as? [String: Any])
    #expect(subject["system"] as? String == "urn:oid:1.2.3" && subject["value"] as? String == "P001")
    #expect(observation["effectiveDateTime"] as? String == "2026-09-05T10:40:00Z")
    let derived = try #require((observation["derivedFrom"] as? [[String: Any]])?.first?["reference"] as? String)
    #expect(entries[2]["fullUrl"] as? String == derived)
    // The same timeline gives the same bytes.
    #expect(FHIRBundle.json(timeline: timeline, patientSystem: "urn:oid:1.2.3") == data)
  }
}
