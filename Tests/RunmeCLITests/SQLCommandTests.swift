import DGAModel
import DNSData
import Foundation
import Lakehouse
import TestSupport
import Testing

/// `runme sql` through the binary: read-only queries on a lakehouse holding the shared
/// sample's records, with the accelerator's functions.
@Suite(.serialized) struct SQLCommandTests {
    func runme(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let binary = try #require(TestPaths.runmeBinary, "the runme executable is not built next to the tests: run `swift build` first")
        return try ChildProcess.run(binary, arguments, workingDirectory: TestPaths.packageRoot, timeout: 60)
    }

    static let geoIPPath = TestPaths.sharedData.appendingPathComponent("geoip/GeoLite2-City.mmdb").path

    /// A store whose lakehouse holds the sample's records in silver_dns (name, type, first
    /// answer) as the ETL would load them, without running the job.
    static func storeWithRecords(_ directory: TemporaryDirectory) throws -> (path: String, records: [DNSRecord]) {
        let store = directory.file("store")
        let database = try LakehouseSchema.open(storeDirectory: store)
        var records = try DNSLogReader(fileAt: TestPaths.sharedData.appendingPathComponent("latest/dns_test_1.json")).readAll().records
        records += try DNSLogReader(fileAt: TestPaths.sharedData.appendingPathComponent("dns_events.json")).readAll().records.prefix(50)
        try database.transaction {
            for record in records {
                try database.execute("""
                    INSERT INTO silver_dns (rrname, rrtype, rdatastr, time_first, time_last, ip_address, domain_name, subdomain,
                                            domain, suffix, registered_domain, load_id)
                    VALUES (?, ?, ?, ?, ?, ?, '', '', '', '', '', 1)
                    """, [record.rrname, record.rrtype, record.rdatastr, record.timeFirst, record.timeLast,
                          record.rrtype == "A" ? record.rdata.first : nil])
            }
        }
        return (store.path, records)
    }

    @Test func functionsOutputsAndRefusedWrites() throws {
        let directory = try TemporaryDirectory("sql")
        let (store, records) = try Self.storeWithRecords(directory)
        let psl = try PublicSuffixList(path: PublicSuffixList.debianPath)

        // Domain functions against the Public Suffix List in process, for every record.
        let json = try runme(["sql", "SELECT rrname, domain_extract(rrname) AS domain, registered_domain_extract(rrname) AS registered FROM silver_dns",
                              "--json", "--store", store])
        #expect(json.status == 0, "\(json.stderr)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(rows.count == records.count)
        for (row, record) in zip(rows, records) {
            let parts = psl.extract(record.rrname)
            #expect(row["rrname"] as? String == record.rrname)
            #expect(row["domain"] as? String == parts.domain)
            #expect(row["registered"] as? String == parts.registeredDomain)
        }
        #expect(rows.first?["registered"] as? String == "asdklgb.cf")

        // GeoIP: the same answers as libmaxminddb in process.
        let geo = try GeoIPDatabase(path: Self.geoIPPath)
        let located = try runme(["sql", "SELECT ip_address, geoip_country(ip_address) AS country, geoip_city(ip_address) AS city, geoip_country_code(ip_address) AS code FROM silver_dns WHERE ip_address IS NOT NULL",
                                 "--csv", "--geoip", Self.geoIPPath, "--store", store])
        #expect(located.status == 0, "\(located.stderr)")
        let csvLines = located.stdout.split(separator: "\n").map(String.init)
        #expect(csvLines.first == "ip_address,country,city,code")
        let addresses = records.filter { $0.rrtype == "A" }.compactMap(\.rdata.first)
        #expect(csvLines.count == addresses.count + 1)
        var locatedCount = 0
        for (line, address) in zip(csvLines.dropFirst(), addresses) {
            let location = geo.lookup(address)
            if location?.country != nil { locatedCount += 1 }
            let expected = [address, location?.country ?? "NULL", location?.city ?? "NULL", location?.countryCode ?? "NULL"]
                .map { $0.contains(",") ? "\"\($0)\"" : $0 }.joined(separator: ",")
            #expect(line == expected)
        }
        #expect(locatedCount > 10)
        let noGeo = try runme(["sql", "SELECT geoip_country('162.241.29.141')", "--store", store])
        #expect(noGeo.status == 2 && noGeo.stderr.contains("--geoip"))

        // ioc_detect with a model bundle: the class the model gives in process.
        let data = try AutoMLFixture.dataset()
        let modelDirectory = directory.file("model")
        try ModelDirectoryFixture.write(.xgboost, data: data, to: modelDirectory)
        let bundle = try ModelBundle(directory: modelDirectory)
        let detected = try runme(["sql", "SELECT rrname, ioc_detect(rrname) AS class, ioc_score(rrname) AS score FROM silver_dns LIMIT 3",
                                  "--model-dir", modelDirectory.path, "--store", store])
        #expect(detected.status == 0, "\(detected.stderr)")
        let expected = try bundle.score(labels: ["asdklgb", "google", "googlee"])
        let tableLines = detected.stdout.split(separator: "\n").map(String.init)
        #expect(tableLines.first?.hasPrefix("rrname") == true)
        #expect(tableLines.last == "(3 rows)")
        for (line, score) in zip(tableLines.dropFirst(2), expected) {
            #expect(line.contains(" \(score.predictedClass) "))
            #expect(line.contains(String(score.probability).prefix(6)))
        }

        // Writes are refused before they run; the data stays.
        for write in ["DELETE FROM silver_dns", "SELECT 1; DROP TABLE silver_dns", "CREATE TABLE x (a)", "PRAGMA user_version = 9"] {
            let refused = try runme(["sql", write, "--store", store])
            #expect(refused.status == 2, "\(write)")
            #expect(refused.stderr.contains("only reads") || refused.stderr.contains("readonly"), "\(write): \(refused.stderr)")
        }
        let count = try runme(["sql", "SELECT count(*) AS n FROM silver_dns", "--csv", "--store", store])
        #expect(count.stdout == "n\n\(records.count)\n")

        let bad = try runme(["sql", "SELECT nope FROM silver_dns", "--store", store])
        #expect(bad.status == 2 && bad.stderr.contains("no such column"))
        let noStore = try runme(["sql", "SELECT 1", "--store", directory.file("none").path])
        #expect(noStore.status == 2 && noStore.stderr.contains("run the job first"))
    }
}
