import Foundation
import Reports
import Testing
import TestSupport

/// Every page parses as HTML5 without a single parse error (html5lib, the WHATWG parsing
/// algorithm, in strict mode), and every element id is unique.
@Suite(.serialized) struct ValidityTests {
    static let script = #"""
import sys, html5lib, collections
text = open(sys.argv[1], encoding="utf-8").read()
parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
try:
    tree = parser.parse(text)
except Exception as error:
    print("parse error:", error, parser.errors[:5]); sys.exit(1)
ids = collections.Counter(e.get("id") for e in tree.iter() if e.get("id"))
duplicates = [i for i, n in ids.items() if n > 1]
if duplicates:
    print("duplicate ids:", duplicates); sys.exit(1)
if tree.find(".//html") is None and tree.tag != "html":
    print("no html element"); sys.exit(1)
print("ok", sum(1 for _ in tree.iter()))
"""#

    static func check(_ html: String, _ name: String, in directory: TemporaryDirectory) throws {
        let file = directory.file(name)
        try ReportFile.write(html, to: file)
        let result = try ChildProcess.run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", script, file.path], timeout: 120)
        #expect(result.status == 0, "\(name): \(result.stdout) \(result.stderr)")
        #expect(result.stdout.hasPrefix("ok"), "\(name): \(result.stdout)")
    }

    @Test func everyPageIsValidHTML5() throws {
        let (directory, store, _, ids) = try ComparisonTests.makeStore()
        try Self.check(ComparisonPage.render(try ExperimentReport.load(store: store, experiment: "exp")), "experiment.html", in: directory)
        try Self.check(ComparisonPage.render(try RunComparison.load(store: store, runIDs: ids)), "compare.html", in: directory)

        let bench = try TemporaryDirectory("runme-validity")
        let (benchStore, _) = try ReportBenchmark.makeStore(at: bench.url.appendingPathComponent("store"), trials: 30)
        try Self.check(ComparisonPage.render(try ExperimentReport.load(store: benchStore, experiment: ReportBenchmark.experimentName)),
                       "bench.html", in: bench)

        let job = try JobRunPageTests.makeStore()
        let page = job.directory.file("job.html")
        try Self.check(JobRunPage.render(try JobRunReport.load(store: job.store, jobRunID: job.jobRunID), location: page), "job.html", in: job.directory)

        let dashboardDirectory = try TemporaryDirectory("runme-validity")
        try DashboardTests.fill(dashboardDirectory.url)
        try Self.check(DashboardPage.render(try Dashboard.load(storeDirectory: dashboardDirectory.url)), "dashboard.html", in: dashboardDirectory)
    }

    @Test func theCheckerRejectsABrokenPage() throws {
        let directory = try TemporaryDirectory("runme-validity")
        let file = directory.file("broken.html")
        try ReportFile.write("<!DOCTYPE html><html><head><title>x</title></head><body><table><tr><td>a</div></td></tr></table></body></html>", to: file)
        let result = try ChildProcess.run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", Self.script, file.path], timeout: 60)
        #expect(result.status != 0)
    }
}
