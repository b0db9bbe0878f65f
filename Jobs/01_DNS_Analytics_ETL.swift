import DNSData
import Digest
import Fetch
import Foundation
import JobRunner
import Lakehouse
import Tracking

/// Step 01: ingest and enrich, as the accelerator's ETL notebooks: fetch the sources, load
/// `bronze_dns`, build `silver_dns` (registered domains, GeoIP), `silver_threat_feeds`,
/// `silver_twisted_domain_brand` and `silver_dns_training_dataset` in the store's lakehouse.
let etlStep = Step(
    name: "01_DNS_Analytics_ETL",
    title: "Ingest and enrich passive DNS",
    parameters: [
        ("data", "builtin, public, or a base URI/directory holding the sample files"),
        ("dns_logs, threat_feed, legit_domains, dga_domains, dnstwist_csv, geoip_database", "override one source (empty: from data; geoip_database=none: no GeoIP)"),
        ("public_suffix_list", "path of the Public Suffix List (Debian package publicsuffix)"),
        ("psl_private_domains", "true: private-section suffixes (ddns.net, …) count, so abc123.ddns.net has domain abc123"),
        ("dictionary", "path of the word list (Debian package wamerican)"),
        ("monitored_brands", "comma-separated brand domains to watch for lookalikes"),
        ("seed", "seed of the built-in sample"),
    ]
) { context in
    let data = DataSet(parameter: try context.parameter("data"))
    let lakehouse = try LakehouseSchema.open(storeDirectory: context.storeDirectory)
    let brands = try context.parameter("monitored_brands").split(separator: ",")
        .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
    let dictionary = URL(fileURLWithPath: try context.parameter("dictionary"))

    let builtinDirectory: URL? = try await context.cell("Built-in sample") { cell in
        guard data == .builtin else {
            cell.print("data = \(try context.parameter("data")): no sample to generate.")
            return nil
        }
        let seed = try context.intParameter("seed")
        let directory = context.storeDirectory.appendingPathComponent("builtin/seed-\(seed)", isDirectory: true)
        let summary = try BuiltinSample(seed: UInt64(truncatingIfNeeded: seed), brands: brands).write(to: directory, dictionary: dictionary)
        cell.print("Generated the synthetic sample (seed \(seed)) in \(directory.path): it is not real traffic.")
        cell.table(headers: ["file", "rows"], rows: [
            ["alexa_100k.txt (legit)", "\(summary.legitDomains)"], ["dga_domains_header.txt (ioc)", "\(summary.dgaDomains)"],
            ["dns_events.json", "\(summary.dnsEvents)"], ["urlhaus_recent.csv", "\(summary.feedRows)"],
            ["latest/dns_test_1.json", "\(summary.latestEvents)"],
        ])
        return directory
    }

    let fetched: [String: FetchResult] = try await context.cell("Fetch sources") { cell in
        let client = FetchClient(cacheDirectory: context.storeDirectory.appendingPathComponent("cache", isDirectory: true))
        var results: [String: FetchResult] = [:]
        var rows: [[String]] = []
        for source in DataSet.sources {
            let override = (context.parameters[source.role] ?? "").trimmingCharacters(in: .whitespaces)
            if override.lowercased() == "none" {
                rows.append([source.role, "none (disabled by parameter)", "", "", ""])
                continue
            }
            guard let location = override.isEmpty ? data.location(of: source, builtinDirectory: builtinDirectory) : override else {
                rows.append([source.role, "— (not in this data set)", "", "", ""])
                continue
            }
            do {
                let result = try await client.fetch(location, progress: CellProgress(context))
                results[source.role] = result
                rows.append([source.role, location, "\(result.size)", result.fromCache ? "yes" : "no", String(result.sha256.prefix(16)) + "…"])
                try context.logParams(["source.\(source.role)": location, "source.\(source.role).sha256": result.sha256])
                try context.logMetrics(["source.\(source.role).bytes": Double(result.size),
                                        "source.\(source.role).from_cache": result.fromCache ? 1 : 0,
                                        "source.\(source.role).attempts": Double(result.attempts)])
            } catch {
                if source.optional && override.isEmpty {
                    rows.append([source.role, "\(location) (unavailable: \((error as? FetchError)?.httpStatus.map { "HTTP \($0)" } ?? "not found"))", "", "", ""])
                    continue
                }
                throw error
            }
        }
        cell.table("Sources", headers: ["source", "from", "bytes", "cached", "sha256"], rows: rows)
        return results
    }

    let suffixes: PublicSuffixList = try await context.cell("Reference data") { cell in
        let path = try context.parameter("public_suffix_list")
        let privateDomains = (context.parameters["psl_private_domains"] ?? "true").lowercased() != "false"
        let list = try PublicSuffixList(path: path, includePrivateDomains: privateDomains)
        let (sha256, size) = try SHA256.hexAndSize(ofFile: URL(fileURLWithPath: path))
        let words = try BuiltinSample.usableWords(dictionary).count
        try context.logParams(["public_suffix_list.path": path, "public_suffix_list.sha256": sha256,
                               "psl_private_domains": String(privateDomains), "dictionary.path": dictionary.path])
        try context.logMetrics(["public_suffix_list.icann_rules": Double(list.icannRuleCount),
                                "public_suffix_list.private_rules": Double(list.privateRuleCount), "dictionary.words": Double(words)])
        cell.table(headers: ["input", "path", "size", "entries"], rows: [
            ["Public Suffix List", path, "\(size) bytes", "\(list.icannRuleCount) ICANN + \(list.privateRuleCount) private rules (private \(privateDomains ? "on" : "off"))"],
            ["dictionary", dictionary.path, "", "\(words) usable words"],
        ])
        return list
    }

    try await context.cell("Load bronze_dns") { cell in
        guard let logs = fetched["dns_logs"] else { throw StepError.failed("no DNS logs to load: set data or dns_logs") }
        let summary = try lakehouse.transaction(.immediate) { () throws -> BronzeLoadSummary in
            // The table holds this run's load: a rerun replaces it rather than doubling it.
            try lakehouse.execute("DELETE FROM bronze_dns; DELETE FROM bronze_dns_quarantine")
            return try BronzeLoader(database: lakehouse).load(fileAt: logs.fileURL, source: logs.source, sha256: logs.sha256, jobRunID: context.jobRunID)
        }
        try context.logParams(["bronze_dns.format": summary.format.rawValue])
        try context.logMetrics(["bronze_dns.records_read": Double(summary.rowsRead), "bronze_dns.rows": Double(summary.rowsLoaded),
                                "bronze_dns.quarantined": Double(summary.rowsQuarantined), "bronze_dns.seconds": summary.seconds])
        cell.table(headers: ["source", "format", "records read", "loaded", "quarantined", "seconds"], rows: [[
            summary.source, summary.format.rawValue, "\(summary.rowsRead)", "\(summary.rowsLoaded)", "\(summary.rowsQuarantined)",
            String(format: "%.2f", summary.seconds),
        ]])
        if summary.rowsQuarantined > 0 {
            let rows = try lakehouse.query("SELECT line, reason FROM bronze_dns_quarantine ORDER BY line LIMIT 10")
            cell.table("First quarantined lines", headers: ["line", "reason"], rows: rows.map { [$0.string("line") ?? "", $0.string("reason") ?? ""] })
        }
    }

    try await context.cell("Enrich silver_dns") { cell in
        var geoIP: GeoIPDatabase?
        if let database = fetched["geoip_database"] {
            geoIP = try GeoIPDatabase(path: database.fileURL.path)
        } else {
            cell.print("No GeoIP database configured: city and country stay empty (set geoip_database to a MaxMind DB).")
        }
        let summary = try SilverDNSBuilder(database: lakehouse, suffixes: suffixes, geoIP: geoIP).rebuild()
        try context.logMetrics(["silver_dns.rows": Double(summary.rows), "silver_dns.with_address": Double(summary.withAddress),
                                "silver_dns.located": Double(summary.located), "silver_dns.without_suffix": Double(summary.withoutSuffix)])
        cell.table(headers: ["rows", "with an address", "located", "without a public suffix"],
                   rows: [["\(summary.rows)", "\(summary.withAddress)", geoIP == nil ? "—" : "\(summary.located)", "\(summary.withoutSuffix)"]])
    }

    try await context.cell("Threat intel: silver_threat_feeds") { cell in
        guard let feed = fetched["threat_feed"] else { throw StepError.failed("no threat feed: set data or threat_feed") }
        let summary = try ThreatFeedTable(database: lakehouse, suffixes: suffixes)
            .replace(with: try Data(contentsOf: feed.fileURL), source: feed.source, sha256: feed.sha256, jobRunID: context.jobRunID)
        try context.logMetrics(["silver_threat_feeds.rows": Double(summary.rows), "silver_threat_feeds.rejected": Double(summary.rejected.count),
                                "silver_threat_feeds.domains": Double(summary.domains)])
        cell.table(headers: ["urls", "registered domains", "rejected rows"], rows: [["\(summary.rows)", "\(summary.domains)", "\(summary.rejected.count)"]])
        for rejected in summary.rejected.prefix(5) { cell.print("rejected line \(rejected.line): \(rejected.reason)") }
    }

    try await context.cell("Typosquats: silver_twisted_domain_brand") { cell in
        var extra: [Typosquat] = []
        if let csv = fetched["dnstwist_csv"] { extra = try DNSTwistCSV.read(csv.fileURL) }
        let summary = try TwistedDomainTable(database: lakehouse).replace(brands: brands, extra: extra, extraBrand: brands.first)
        try context.logMetrics(["silver_twisted_domain_brand.rows": Double(summary.rows)])
        cell.table(headers: ["brand", "lookalikes"], rows: brands.map { [$0, "\(summary.perBrand[$0] ?? 0)"] })
        cell.table("Per fuzzer", headers: ["fuzzer", "domains"], rows: summary.perFuzzer.sorted { $0.key < $1.key }.map { [$0.key, "\($0.value)"] })
    }

    try await context.cell("Training set: silver_dns_training_dataset") { cell in
        guard let legit = fetched["legit_domains"], let dga = fetched["dga_domains"] else {
            throw StepError.failed("the training set needs legit_domains and dga_domains")
        }
        let summary = try TrainingSetTable(database: lakehouse, suffixes: suffixes).replace(legitList: legit.fileURL, dgaList: dga.fileURL)
        try context.logMetrics(["training.legit": Double(summary.legit), "training.ioc": Double(summary.ioc),
                                "training.in_both_lists": Double(summary.inBothLists), "training.dropped": Double(summary.dropped)])
        cell.table(headers: ["class", "read", "distinct labels kept"], rows: [
            ["legit", "\(summary.legitRead)", "\(summary.legit)"], ["ioc", "\(summary.iocRead)", "\(summary.ioc)"],
        ])
        cell.print("\(summary.inBothLists) labels were in both lists and were left out; \(summary.dropped) lines had no usable name.")
    }

    try await context.cell("Indicators in the logs") { cell in
        let feedHits = try lakehouse.query("""
            SELECT DISTINCT s.domain_name, t.registered_domain, t.tags FROM silver_dns s
            JOIN silver_threat_feeds t ON t.registered_domain = s.registered_domain AND s.registered_domain <> ''
            ORDER BY s.domain_name LIMIT 20
            """)
        cell.table("Logged names whose registered domain is in the threat feed (first 20)", headers: ["name", "feed domain", "tags"],
                   rows: feedHits.map { [$0.string("domain_name") ?? "", $0.string("registered_domain") ?? "", $0.string("tags") ?? ""] })
        let squats = try lakehouse.query("""
            SELECT DISTINCT s.domain_name, b.domain AS brand, b.fuzzer FROM silver_dns s
            JOIN silver_twisted_domain_brand b ON b.dnstwisted_domain = s.registered_domain
            ORDER BY s.domain_name LIMIT 20
            """)
        cell.table("Logged names that are lookalikes of a monitored brand (first 20)", headers: ["name", "brand", "fuzzer"],
                   rows: squats.map { [$0.string("domain_name") ?? "", $0.string("brand") ?? "", $0.string("fuzzer") ?? ""] })
    }

    try await context.cell("Hand over to the next tasks") { cell in
        func count(_ table: String) throws -> Double { Double(try lakehouse.scalar("SELECT count(*) FROM \(table)")?.int64Value ?? 0) }
        var tables: [String: JSONValue] = [:]
        for table in ["bronze_dns", "bronze_dns_quarantine", "silver_dns", "silver_threat_feeds", "silver_twisted_domain_brand", "silver_dns_training_dataset"] {
            tables[table] = .number(try count(table))
        }
        var summary: [String: JSONValue] = [
            "data": .string(try context.parameter("data")), "lakehouse": .string(lakehouse.path),
            "dns_records": tables["bronze_dns"] ?? .number(0), "tables": .object(tables),
        ]
        if let latest = data.latestLogs(builtinDirectory: builtinDirectory) { summary["latest_logs"] = .string(latest) }
        try context.setTaskValue("summary", .object(summary))
        cell.print("task value summary = \(JSONValue.object(summary).jsonText)")
    }
}
