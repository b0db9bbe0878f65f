import Foundation
import Reports
import Testing
import TestSupport

/// The pages' two interactions, driven in headless Chromium by a harness script appended to a
/// copy of the page (the product page itself is unchanged): sorting a table by a column, and
/// filtering the dashboard's domains with the search box.
@Suite(.serialized) struct InteractionTests {
    /// Loads `html` plus `actions` (JavaScript that puts its findings in `out`, an array of
    /// strings) and returns `out`, after checking the console stayed silent.
    static func drive(_ html: String, actions: String, in directory: TemporaryDirectory) throws -> [String] {
        let harness = "<script>(function(){var out=[];\(actions)\nvar pre=document.createElement('pre');pre.id='harness-out';pre.textContent=JSON.stringify(out);document.body.appendChild(pre);})();</script>"
        let page = directory.file("harness-\(UUID().uuidString.prefix(8)).html")
        try ReportFile.write(html.replacingOccurrences(of: "</body>", with: harness + "</body>"), to: page)
        let (dom, console) = try HeadlessChromium.dumpDOM(page)
        #expect(console.isEmpty, "console: \(console)")
        let json = try #require(PageText.matches(dom, #"<pre id="harness-out">(.*?)</pre>"#).first.map(PageText.text))
        return try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String])
    }

    @Test func clickingAHeadingSortsTheTrialTable() throws {
        let (directory, store, _, _) = try ComparisonTests.makeStore()
        let html = ComparisonPage.render(try ExperimentReport.load(store: store, experiment: "exp"))
        let headers = PageText.tableHeaders(html, id: "trial-table")
        let lossColumn = try #require(headers.firstIndex(of: "val_log_loss_final"))
        let actions = """
            var table = document.getElementById('trial-table');
            function column(c){ return Array.prototype.map.call(table.tBodies[0].rows, function(r){ return r.cells[c].textContent.trim(); }).join(','); }
            out.push(column(1));
            var trial = table.querySelector('button[data-col="1"]');
            trial.click(); out.push(column(1)); out.push(trial.parentNode.getAttribute('aria-sort'));
            trial.click(); out.push(column(1)); out.push(trial.parentNode.getAttribute('aria-sort'));
            table.querySelector('button[data-col="\(lossColumn)"]').click(); out.push(column(\(lossColumn)));
            """
        let out = try Self.drive(html, actions: actions, in: directory)
        // Best first (lowest log loss): trial 2, 1, 3; then by trial number both ways; then by loss, numerically.
        #expect(out == ["2,1,3", "1,2,3", "ascending", "3,2,1", "descending", "0.1200,0.3000,0.4500"])
    }

    @Test func theSearchBoxFiltersTheDomains() throws {
        let directory = try TemporaryDirectory("runme-dashboard")
        let storeURL = directory.url.appendingPathComponent("store")
        try DashboardTests.fill(storeURL)
        let html = DashboardPage.render(try Dashboard.load(storeDirectory: storeURL))
        let actions = """
            var input = document.getElementById('ioc-search'), table = document.getElementById('ioc-table');
            function visible(){ return Array.prototype.filter.call(table.tBodies[0].rows, function(r){ return !r.hidden; }).map(function(r){ return r.cells[0].textContent; }).join(','); }
            function type(text){ input.value = text; input.dispatchEvent(new Event('input')); out.push(visible() + ' | ' + document.getElementById('ioc-status').textContent); }
            type('TYPOSQUAT'); type('mozi'); type('nothing-like-this'); type('');
            """
        let out = try Self.drive(html, actions: actions, in: directory)
        #expect(out == ["gooogle.com. | 1 of 2 domains shown", "zzkqjx.ru. | 1 of 2 domains shown",
                        " | 0 of 2 domains shown", "zzkqjx.ru.,gooogle.com. | 2 of 2 domains shown"])
    }
}
