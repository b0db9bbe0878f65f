import DNSData
import Foundation
import TestSupport
import Testing

@Suite struct DomainCSVReaderTests {
    @Test func plainListWithoutHeader() throws {
        let dir = try TemporaryDirectory("csv")
        let url = try ReaderFixtures.write("ns1.asdklgb.cf\nGoogle.com.\n\n  www.googlee.com  \nnot a domain\nbad<name>.example\n# a comment\nhttps://x.example:8443/login?next=1\n", named: "names.csv", in: dir)
        #expect(try FormatDetection.detect(fileAt: url) == .csv)
        let contents = try DNSLogReader(fileAt: url).readAll()
        #expect(contents.records == [
            DNSRecord(rrname: "ns1.asdklgb.cf", rrtype: "", rdata: [], timeFirst: 0, timeLast: 0),
            DNSRecord(rrname: "Google.com.", rrtype: "", rdata: [], timeFirst: 0, timeLast: 0),
            DNSRecord(rrname: "www.googlee.com", rrtype: "", rdata: [], timeFirst: 0, timeLast: 0),
            DNSRecord(rrname: "x.example", rrtype: "", rdata: [], timeFirst: 0, timeLast: 0),
        ])
        #expect(contents.recordLines == [1, 2, 4, 8])
        #expect(contents.quarantined.map(\.line) == [5, 6])
        #expect(contents.quarantined[0].reason.contains("' '"))
        #expect(contents.quarantined[1].reason.contains("'<'"))
        #expect(contents.counts.linesSkipped == 2)
    }

    @Test func headerNamesTheColumn() throws {
        let dir = try TemporaryDirectory("csv")
        let url = try ReaderFixtures.write("rank,\"uri\"\r\n1,facebook.com\r\n2,\"google.com\"\r\n3\r\n", named: "top.csv", in: dir)
        let contents = try DNSLogReader(fileAt: url, format: .csv).readAll()
        #expect(contents.records.map(\.rrname) == ["facebook.com", "google.com"])
        #expect(contents.quarantined.map(\.line) == [4])
        #expect(contents.quarantined.first?.reason.contains("no column 2") == true)
    }

    @Test func sharedDomainListsLoadEveryName() throws {
        let dir = try TemporaryDirectory("csv")
        let db = try ReaderFixtures.lakehouse(in: dir)
        let loader = BronzeLoader(database: db)
        for (file, column) in [("dga_domains_header.txt", 0), ("domains_dnstwists.csv", 1), ("alexa_100k.txt", 1)] {
            let url = TestPaths.sharedData.appendingPathComponent(file)
            // The oracle: the bytes split at line ends, the header dropped, the named column
            // trimmed and cut at a path ("youtube.com/user/x" in Alexa's list).
            let data = try Data(contentsOf: url)
            let lines = data.split(separator: 0x0A, omittingEmptySubsequences: false)
                .map { String(decoding: $0.last == 0x0D ? $0.dropLast() : $0, as: UTF8.self) }
            let expected = lines.dropFirst().filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
                .map { line -> String in
                    let field = line.split(separator: ",", omittingEmptySubsequences: false)[column].trimmingCharacters(in: .whitespaces)
                    return String(field.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)[0])
                }
            let summary = try loader.load(fileAt: url, source: file)
            #expect(summary.format == .csv, "\(file)")
            #expect(summary.rowsQuarantined == 0, "\(file)")
            #expect(summary.rowsLoaded == expected.count, "\(file)")
            let names = try db.query("SELECT rrname FROM bronze_dns WHERE load_id = ? ORDER BY source_line", [summary.loadID]).map { $0.string("rrname") ?? "" }
            #expect(names == expected, "\(file)")
        }
        #expect(try db.scalar("SELECT rows_loaded FROM loads WHERE source = 'alexa_100k.txt'")?.int64Value == 100_000)
        #expect(try db.scalar("SELECT count(*) FROM bronze_dns WHERE rrtype <> '' OR time_first <> 0 OR rdata <> '[]' OR count IS NOT NULL")?.int64Value == 0)
    }
}
