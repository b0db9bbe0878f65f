import Foundation
import Lakehouse
import Reports
import Testing
import TestSupport

/// The IoC dashboard on scored rows inserted as the scoring step writes them.
@Suite(.serialized) struct DashboardTests {
    static func fill(_ storeURL: URL) throws {
        let db = try LakehouseSchema.open(storeDirectory: storeURL)
        // Three days; day 2 has an ioc domain seen twice; ioc domains of the last day below.
        let rows: [(String, String, String, Double, String)] = [
            ("ns1.asdklgb.cf.", "asdklgb.cf", "ioc", 0.97, "2026-11-20 08:00:00.000"),
            ("www.google.com.", "google.com", "legit", 0.01, "2026-11-20 08:00:00.000"),
            ("qwpoeirtz.biz.", "qwpoeirtz.biz", "ioc", 0.91, "2026-11-21 09:00:00.000"),
            ("a.qwpoeirtz.biz.", "qwpoeirtz.biz", "ioc", 0.90, "2026-11-21 09:30:00.000"),
            ("gooogle.com.", "gooogle.com", "ioc", 0.55, "2026-11-22 10:00:00.000"),
            ("zzkqjx.ru.", "zzkqjx.ru", "ioc", 0.99, "2026-11-22 11:00:00.000"),
            ("example.org.", "example.org", "legit", 0.02, "2026-11-22 11:00:00.000"),
        ]
        for row in rows {
            try db.execute("""
                INSERT INTO dns_log_analytics(domain, domain_tldextract, class, score, timestamp, model_uri, source, source_line, update_id)
                VALUES (?, ?, ?, ?, ?, 'models:/dns_dga/1', 'a.json', 1, 1)
                """, [row.0, row.1, row.2, row.3, row.4])
        }
        try db.execute("""
            INSERT INTO dns_ioc_latest(domain, domain_tldextract, class, score, reason, top_features, threat, tags, brand, fuzzer, country, country_code,
                                       timestamp, model_uri, update_id) VALUES
            ('qwpoeirtz.biz.', 'qwpoeirtz.biz', 'ioc', 0.91, 'model', '[]', NULL, NULL, NULL, NULL, 'Germany', 'DE', '2026-11-21 09:00:00.000', 'models:/dns_dga/1', 1),
            ('gooogle.com.', 'gooogle.com', 'ioc', 0.55, 'typosquat', '[]', NULL, NULL, 'google.com', 'repetition', 'United States', 'US', '2026-11-22 10:00:00.000', 'models:/dns_dga/1', 2),
            ('zzkqjx.ru.', 'zzkqjx.ru', 'ioc', 0.99, 'model,threat_feed', '[]', 'malware_download', 'elf,mozi', NULL, NULL, 'Russia', 'RU', '2026-11-22 11:00:00.000', 'models:/dns_dga/1', 2)
            """)
    }

    @Test func dashboardCountsAndListsWhatTheLakehouseHolds() throws {
        let directory = try TemporaryDirectory("runme-dashboard")
        let storeURL = directory.url.appendingPathComponent("store")
        try Self.fill(storeURL)
        let dashboard = try Dashboard.load(storeDirectory: storeURL)
        #expect(dashboard.days.map(\.day) == ["2026-11-20", "2026-11-21", "2026-11-22"])
        #expect(dashboard.days.map(\.iocRows) == [1, 2, 2])
        #expect(dashboard.days.map(\.iocDomains) == [1, 1, 2])
        #expect(dashboard.lastDay == "2026-11-22")
        #expect(dashboard.iocs.map(\.domain) == ["zzkqjx.ru.", "gooogle.com."])

        let page = directory.file("dashboard.html")
        try ReportFile.write(DashboardPage.render(dashboard), to: page)
        let (dom, console) = try HeadlessChromium.dumpDOM(page)
        #expect(console.isEmpty, "console: \(console)")
        // Numbers in the page equal a direct query of the store.
        let db = try LakehouseSchema.openReadOnly(storeDirectory: storeURL)
        let expected = try db.query("SELECT substr(timestamp,1,10) AS d, count(*) AS n, sum(class='ioc') AS i FROM dns_log_analytics GROUP BY d ORDER BY d")
        let days = PageText.tableRows(dom, id: "days-table")
        #expect(days.map { $0[0] } == expected.map { $0.string("d") ?? "" })
        #expect(days.map { $0[1] } == expected.map { String($0.int("n") ?? -1) })
        #expect(days.map { $0[2] } == expected.map { String($0.int("i") ?? -1) })
        let iocs = PageText.tableRows(dom, id: "ioc-table")
        #expect(iocs.map { $0[0] } == ["zzkqjx.ru.", "gooogle.com."])
        #expect(iocs[0][2] == "0.9900")
        #expect(iocs[0][3] == "model threat_feed")
        #expect(iocs[0][5] == "elf,mozi")
        #expect(iocs[1][6] == "google.com")
        #expect(iocs[1][7] == "repetition")
        #expect(iocs[1][8] == "United States (US)")
        // The search script ran on load and counted the rows.
        #expect(dom.contains("2 of 2 domains shown"))

        let png = directory.file("dashboard.png")
        #expect(try HeadlessChromium.screenshot(page, to: png, width: 1280, height: 1000).isEmpty)
        let pixels = try HeadlessChromium.pixelStatistics(png)
        #expect(pixels.nonBackground > 0.02, "blank screenshot: \(pixels)")
    }

    @Test func anEmptyLakehouseGivesAnEmptyDashboard() throws {
        let directory = try TemporaryDirectory("runme-dashboard")
        _ = try LakehouseSchema.open(storeDirectory: directory.url)
        let dashboard = try Dashboard.load(storeDirectory: directory.url)
        #expect(dashboard.days.isEmpty)
        #expect(dashboard.lastDay == nil)
        #expect(DashboardPage.render(dashboard).contains("dns_ioc_latest is empty"))
        // No store there at all: said as such, not as a store too old to have the table.
        let none = directory.url.appendingPathComponent("none")
        #expect(throws: LakehouseError.noResultsDatabase(path: none.appendingPathComponent("lakehouse.db").path)) { try Dashboard.load(storeDirectory: none) }
    }
}
