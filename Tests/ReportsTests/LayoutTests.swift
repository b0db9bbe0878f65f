import Foundation
import Lakehouse
import Reports
import Testing
import TestSupport

/// Layout at scale, measured by Chromium: at 200 trials no two text labels of a chart overlap,
/// and nothing is wider than a 1280 px window except the trial table, which scrolls inside
/// its own box.
@Suite(.serialized) struct LayoutTests {
    /// Appended to a copy of the page (test harness only): measures every SVG text box and
    /// writes the pairs that overlap, and the page's width, into the DOM for --dump-dom.
    static let probe = """
    <script>
    (function(){
      var found = [];
      document.querySelectorAll("svg").forEach(function(svg, n){
        var boxes = Array.prototype.map.call(svg.querySelectorAll("text"), function(t){ return {r: t.getBoundingClientRect(), s: t.textContent}; });
        for (var i = 0; i < boxes.length; i++) for (var j = i + 1; j < boxes.length; j++) {
          var a = boxes[i].r, b = boxes[j].r;
          var w = Math.min(a.right, b.right) - Math.max(a.left, b.left), h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
          if (w > 1 && h > 1) found.push("svg" + n + ": '" + boxes[i].s + "' / '" + boxes[j].s + "'");
        }
      });
      var pre = document.createElement("pre"); pre.id = "probe-overlaps"; pre.textContent = JSON.stringify(found); document.body.appendChild(pre);
      var width = document.createElement("pre"); width.id = "probe-width"; width.textContent = String(document.documentElement.scrollWidth); document.body.appendChild(width);
      var svgs = document.createElement("pre"); svgs.id = "probe-svgs"; svgs.textContent = String(document.querySelectorAll("svg").length); document.body.appendChild(svgs);
    })();
    </script>
    """

    /// Loads `html` with the probe; returns the overlapping label pairs, the page width and the
    /// number of SVG charts.
    static func measure(_ html: String, in directory: TemporaryDirectory) throws -> (overlaps: String?, width: Int, charts: Int) {
        let page = directory.file("probe-\(UUID().uuidString.prefix(8)).html")
        try ReportFile.write(html.replacingOccurrences(of: "</body>", with: probe + "</body>"), to: page)
        let profile = try TemporaryDirectory("runme-chromium")
        let result = try ChildProcess.run(try HeadlessChromium.executable(),
                                          ["--headless", "--disable-gpu", "--no-sandbox", "--user-data-dir=\(profile.url.path)", "--window-size=1280,900",
                                           "--enable-logging=stderr", "--v=0", "--dump-dom", page.absoluteString], timeout: 120)
        #expect(result.status == 0)
        #expect(!result.stderr.contains(":CONSOLE"), "console: \(result.stderr)")
        let overlaps = PageText.matches(result.stdout, #"<pre id="probe-overlaps">(.*?)</pre>"#).first.map(PageText.text)
        let charts = PageText.matches(result.stdout, #"<pre id="probe-svgs">(\d+)</pre>"#).first.flatMap { Int($0) } ?? 0
        let width = PageText.matches(result.stdout, #"<pre id="probe-width">(\d+)</pre>"#).first.flatMap { Int($0) } ?? 0
        return (overlaps, width, charts)
    }

    @Test func ninetyDaysOfIoCsAndAJobRunFitWithoutOverlaps() throws {
        let directory = try TemporaryDirectory("runme-layout")
        let storeURL = directory.url.appendingPathComponent("store")
        let db = try LakehouseSchema.open(storeDirectory: storeURL)
        let start = Date(timeIntervalSince1970: 1_780_000_000)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss.SSS"
        for day in 0..<90 {
            let stamp = formatter.string(from: start.addingTimeInterval(Double(day) * 86_400))
            for index in 0..<(day % 7 + 1) {
                try db.execute("""
                    INSERT INTO dns_log_analytics(domain, domain_tldextract, class, score, timestamp, model_uri, source, source_line, update_id)
                    VALUES (?, ?, 'ioc', 0.9, ?, 'models:/dns_dga/1', 'a.json', 1, 1)
                    """, ["d\(day)-\(index).example.", "d\(day)-\(index).example", stamp])
            }
        }
        let dashboard = try Dashboard.load(storeDirectory: storeURL)
        #expect(dashboard.days.count == 90)
        let measured = try Self.measure(DashboardPage.render(dashboard), in: directory)
        #expect(measured.overlaps == "[]")
        #expect(measured.charts == 1)
        #expect(measured.width > 0 && measured.width <= 1280, "dashboard is \(measured.width) px wide")

        let job = try JobRunPageTests.makeStore()
        let jobPage = try Self.measure(JobRunPage.render(try JobRunReport.load(store: job.store, jobRunID: job.jobRunID), location: nil), in: job.directory)
        #expect(jobPage.overlaps == "[]")
        #expect(jobPage.charts == 1)
        #expect(jobPage.width > 0 && jobPage.width <= 1280, "job-run page is \(jobPage.width) px wide")
    }

    @Test func twoHundredTrialsHaveNoOverlappingLabels() throws {
        let directory = try TemporaryDirectory("runme-layout")
        let (store, _) = try ReportBenchmark.makeStore(at: directory.url.appendingPathComponent("store"), trials: 200)
        let report = try ExperimentReport.load(store: store, experiment: ReportBenchmark.experimentName)
        #expect(report.comparison.rows.count == 200)
        let html = ComparisonPage.render(report)
        let page = directory.file("probe.html")
        try ReportFile.write(html.replacingOccurrences(of: "</body>", with: Self.probe + "</body>"), to: page)
        let profile = try TemporaryDirectory("runme-chromium")
        let result = try ChildProcess.run(try HeadlessChromium.executable(),
                                          ["--headless", "--disable-gpu", "--no-sandbox", "--user-data-dir=\(profile.url.path)", "--window-size=1280,900",
                                           "--enable-logging=stderr", "--v=0", "--dump-dom", page.absoluteString], timeout: 120)
        #expect(result.status == 0)
        #expect(!result.stderr.contains(":CONSOLE"), "console: \(result.stderr)")
        let overlaps = PageText.matches(result.stdout, #"<pre id="probe-overlaps">(.*?)</pre>"#).first.map(PageText.text)
        #expect(overlaps == "[]")
        let svgCount = PageText.matches(result.stdout, #"<pre id="probe-svgs">(\d+)</pre>"#).first.flatMap { Int($0) } ?? 0
        // progress, parallel coordinates, 2 training-curve charts, ROC, PR, importance.
        #expect(svgCount == 7)
        let width = PageText.matches(result.stdout, #"<pre id="probe-width">(\d+)</pre>"#).first.flatMap { Int($0) } ?? 0
        #expect(width > 0 && width <= 1280, "page is \(width) px wide at a 1280 px window")
    }
}
