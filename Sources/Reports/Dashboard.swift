import Foundation
import Lakehouse

/// The analysts' IoC dashboard, as the accelerator's Databricks SQL dashboard: IoC counts per
/// day from `dns_log_analytics`, and the IoC domains of the latest day from `dns_ioc_latest`
/// with their enrichment and score.
public struct Dashboard: Sendable, Encodable {
    /// One day of scored rows (by the processing `timestamp`, UTC).
    public struct Day: Sendable, Encodable {
        public let day: String
        /// Rows scored that day.
        public let rows: Int
        /// Rows classed ioc.
        public let iocRows: Int
        /// Distinct registered domains classed ioc.
        public let iocDomains: Int
    }

    /// One IoC of the latest day.
    public struct IoC: Sendable, Encodable {
        public let domain: String
        public let registeredDomain: String
        public let score: Double
        public let reason: String
        public let threat: String?
        public let tags: String?
        public let brand: String?
        public let fuzzer: String?
        public let country: String?
        public let countryCode: String?
        public let city: String?
        public let timestamp: String
        public let eventTime: String?
        public let modelURI: String
    }

    public let days: [Day]
    /// The latest day with IoCs in `dns_ioc_latest` (UTC date), nil when there are none.
    public let lastDay: String?
    /// That day's IoCs, highest score first.
    public let iocs: [IoC]
    public let generatedAt: Date

    /// Reads the dashboard from the lakehouse of `storeDirectory`.
    public static func load(storeDirectory: URL) throws -> Dashboard {
        let path = storeDirectory.appendingPathComponent("lakehouse.db")
        let db = try LakehouseSchema.openReadOnly(storeDirectory: storeDirectory)
        let tables = Set(try db.query("SELECT name FROM sqlite_master WHERE type = 'table'").compactMap { $0.string("name") })
        for table in ["dns_log_analytics", "dns_ioc_latest"] where !tables.contains(table) {
            throw ReportError.missingTable(name: table, database: path.path)
        }
        let days = try db.query("""
            SELECT substr(timestamp, 1, 10) AS day, count(*) AS n, sum(class = 'ioc') AS ioc,
                   count(DISTINCT CASE WHEN class = 'ioc' THEN domain_tldextract END) AS ioc_domains
            FROM dns_log_analytics GROUP BY day ORDER BY day
            """).map { row in
            Day(day: row.string("day") ?? "", rows: row.int("n") ?? 0, iocRows: row.int("ioc") ?? 0, iocDomains: row.int("ioc_domains") ?? 0)
        }
        let lastDay = try db.scalar("SELECT max(substr(timestamp, 1, 10)) FROM dns_ioc_latest")?.stringValue
        var iocs: [IoC] = []
        if let lastDay {
            iocs = try db.query("""
                SELECT domain, domain_tldextract, score, reason, threat, tags, brand, fuzzer, country, country_code, city,
                       timestamp, event_time, model_uri
                FROM dns_ioc_latest WHERE substr(timestamp, 1, 10) = ? ORDER BY score DESC, domain
                """, [lastDay]).map { row in
                IoC(domain: row.string("domain") ?? "", registeredDomain: row.string("domain_tldextract") ?? "", score: row.double("score") ?? 0,
                    reason: row.string("reason") ?? "", threat: row.string("threat"), tags: row.string("tags"), brand: row.string("brand"),
                    fuzzer: row.string("fuzzer"), country: row.string("country"), countryCode: row.string("country_code"), city: row.string("city"),
                    timestamp: row.string("timestamp") ?? "", eventTime: row.string("event_time"), modelURI: row.string("model_uri") ?? "")
            }
        }
        return Dashboard(days: days, lastDay: lastDay, iocs: iocs, generatedAt: Date())
    }
}

/// The dashboard's HTML page.
public enum DashboardPage {
    /// Renders the dashboard with its search box.
    public static func render(_ dashboard: Dashboard) -> String {
        var body = ""
        var dayTable = ""
        let totalIoC = dashboard.days.reduce(0) { $0 + $1.iocRows }
        let totalRows = dashboard.days.reduce(0) { $0 + $1.rows }
        body += HTML.paragraph("\(ReportNumber.count(totalRows)) DNS records scored over \(dashboard.days.count) day(s), \(ReportNumber.count(totalIoC)) classed ioc.", className: "note")
        if dashboard.days.isEmpty {
            body += HTML.section("per-day", "IoCs per day", HTML.paragraph("dns_log_analytics is empty: the scoring task has not written results yet (run `runme run`).", className: "note"))
        } else {
            let chart = ColumnChart(title: "Records classed ioc per day", categories: dashboard.days.map(\.day),
                                    values: dashboard.days.map { Double($0.iocRows) }, yLabel: "ioc records")
            body += HTML.section("per-day", "IoCs per day", HTML.figure(chart.render(), caption: "Rows of dns_log_analytics with class ioc, by the day they were scored (UTC); the counts are in the table at the end of the page."))
            dayTable = HTML.table(id: "days-table", headers: [("day", []), ("records scored", ["num"]), ("ioc records", ["num"]), ("ioc registered domains", ["num"])],
                              rows: dashboard.days.map { day in
                                  (cells: [.text(day.day), .number(Double(day.rows), ReportNumber.count(day.rows)),
                                           .number(Double(day.iocRows), ReportNumber.count(day.iocRows)),
                                           .number(Double(day.iocDomains), ReportNumber.count(day.iocDomains))], classes: [])
                              }, sortable: true)
            dayTable = HTML.section("counts", "Counts per day", dayTable)
        }
        guard let lastDay = dashboard.lastDay else {
            body += HTML.section("latest", "IoC domains of the last day", HTML.paragraph("dns_ioc_latest is empty: no IoC yet.", className: "note"))
            body += dayTable
            return HTML.document(title: "DNS IoC dashboard", subtitle: subtitle(dashboard), body: body)
        }
        var out = "<p><label for=\"ioc-search\">Search the domains (any column): </label>"
        out += "<input type=\"search\" id=\"ioc-search\" data-filter=\"ioc-table\" data-status=\"ioc-status\" placeholder=\"domain, tag, brand, country…\"> "
        out += "<span id=\"ioc-status\" role=\"status\" aria-live=\"polite\">\(dashboard.iocs.count) of \(dashboard.iocs.count) domains shown</span></p>\n"
        out += HTML.table(id: "ioc-table", headers: [("domain", []), ("registered domain", []), ("score", ["num"]), ("reason", []), ("threat", []), ("tags", []),
                                                     ("brand", []), ("fuzzer", []), ("country", []), ("city", []), ("seen", [])],
                          rows: dashboard.iocs.map { ioc in
                              (cells: [.text(ioc.domain), .text(ioc.registeredDomain), .number(ioc.score, String(format: "%.4f", ioc.score)),
                                       .raw(ioc.reason.split(separator: ",").map { "<span class=\"tag\">\(HTML.escape(String($0)))</span>" }.joined(separator: " "), sortKey: ioc.reason),
                                       .text(ioc.threat ?? "–"), .text(ioc.tags ?? "–"), .text(ioc.brand ?? "–"), .text(ioc.fuzzer ?? "–"),
                                       .text(ioc.country.map { c in ioc.countryCode.map { "\(c) (\($0))" } ?? c } ?? "–"), .text(ioc.city ?? "–"),
                                       .text(ioc.eventTime ?? ioc.timestamp)], classes: [])
                          }, sortable: true)
        body += HTML.section("latest", "IoC domains of \(lastDay) (the last day with IoCs)", out,
                             note: "From dns_ioc_latest: reason says why a domain is an IoC (model score, threat feed match, typosquat of a monitored brand).")
        body += dayTable
        return HTML.document(title: "DNS IoC dashboard", subtitle: subtitle(dashboard), body: body)
    }

    private static func subtitle(_ dashboard: Dashboard) -> String {
        "Generated \(ReportNumber.utc(dashboard.generatedAt.timeIntervalSince1970)) by runme from the store's lakehouse"
    }
}
