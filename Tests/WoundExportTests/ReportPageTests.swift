import Foundation
import Testing
import WoundTimeline

@testable import WoundExport

@Suite struct ReportPageTests {
  @Test func thePageShowsStandingPhotosOnlyAndFetchesNothing() throws {
    let timeline = try FHIRBundleTests.timeline()
    let report = try #require(HealingReport(timeline: timeline, woundSite: "left-heel"))
    let standing = timeline.standingEntries(woundSite: "left-heel")
    #expect(standing.count == 3)
    let photos = [
      standing[0].id: ReportPhoto(content: .jpeg(bytes: [0xFF, 0xD8, 0xFF, 0xD9], width: 8, height: 6)),
      standing[1].id: ReportPhoto(content: .missing(reason: "photos/x.jpg not found <moved>")),
    ]
    let html = ReportPage.html(
      timeline: timeline, reports: [report], photos: photos,
      legend: [ReportLegendItem(label: "granulation", red: 230, green: 30, blue: 60)], problems: ["chain & broken"],
      toolVersion: "9.9")
    #expect(html.hasPrefix("<!DOCTYPE html>"))
    #expect(html.components(separatedBy: "<img ").count - 1 == 1)
    #expect(html.contains("src=\"data:image/jpeg;base64,/9j/2Q==\""))
    #expect(html.components(separatedBy: "class=\"photo-missing\"").count - 1 == 2)  // missing, and not rendered
    #expect(html.contains("not found &lt;moved&gt;"))
    #expect(html.contains("chain &amp; broken"))
    #expect(html.components(separatedBy: "<svg").count - 1 == 2)
    #expect(html.contains("fill=\"#e61e3c\""), "tissue bars take the legend's colours")
    #expect(html.contains("was withdrawn by") && html.contains("was corrected by"))
    #expect(html.contains("Needs review"))
    for external in ["http://", "https://"] {
      for line in html.split(separator: "\n") where line.contains(external) {
        #expect(line.contains("xmlns=\"http://www.w3.org/2000/svg\""), "external reference: \(line)")
      }
    }
  }
}
