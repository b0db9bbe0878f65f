import DNSData
import Foundation
import TestSupport
import Testing

@Suite struct BuiltinSampleTests {
    let dictionary = URL(fileURLWithPath: "/usr/share/dict/words")

    func generate(seed: UInt64, into directory: URL) throws -> BuiltinSample.Summary {
        try BuiltinSample(seed: seed, brands: ["google.com"], now: Date(timeIntervalSince1970: 1_790_000_000)).write(to: directory, dictionary: dictionary)
    }

    func read(_ directory: URL, _ name: String) throws -> String {
        try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
    }

    @Test func sameSeedSameFilesOtherSeedOtherNames() throws {
        let a = try TemporaryDirectory("builtin-a"), b = try TemporaryDirectory("builtin-b"), c = try TemporaryDirectory("builtin-c")
        _ = try generate(seed: 42, into: a.url)
        _ = try generate(seed: 42, into: b.url)
        _ = try generate(seed: 7, into: c.url)
        for name in ["alexa_100k.txt", "dga_domains_header.txt", "dns_events.json", "urlhaus_recent.csv", "latest/dns_test_1.json"] {
            #expect(try read(a.url, name) == read(b.url, name), "\(name) differs for one seed")
        }
        #expect(try read(a.url, "dga_domains_header.txt") != read(c.url, "dga_domains_header.txt"))
    }

    @Test func filesHaveTheSampleSetsShapes() throws {
        let directory = try TemporaryDirectory("builtin")
        let summary = try generate(seed: 42, into: directory.url)
        let alexa = try read(directory.url, "alexa_100k.txt").split(separator: "\n")
        #expect(alexa.first == "rank,uri")
        #expect(alexa.count == summary.legitDomains + 1)
        #expect(alexa[1] == "1,google.com")
        let dga = try read(directory.url, "dga_domains_header.txt").split(separator: "\n")
        #expect(dga.first == "raw_domain")
        #expect(Set(dga.dropFirst()).count == summary.dgaDomains)
        #expect(Set(alexa.dropFirst().map { $0.split(separator: ",")[1] }).isDisjoint(with: Set(dga.dropFirst())))

        // Every COF line is a JSON object with the mandatory fields.
        let events = try read(directory.url, "dns_events.json").split(separator: "\n")
        #expect(events.count == summary.dnsEvents)
        for line in events {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(object["rrname"] is String && object["rrtype"] is String && object["rdata"] is [Any])
            #expect((object["time_first"] as? Int ?? 0) <= (object["time_last"] as? Int ?? -1))
        }
        #expect(events.contains { $0.contains("\"rrname\":\"ns1.asdklgb.cf.\"") })

        let latest = try read(directory.url, "latest/dns_test_1.json")
        #expect(latest.contains("ns1.asdklgb.cf.") && latest.contains("www.googlee.com.") && latest.contains("\"google.com.\""))

        // The feed has URLhaus's layout: comment header, quoted fields, CRLF, Agent Tesla.
        let feed = try read(directory.url, "urlhaus_recent.csv")
        #expect(feed.hasPrefix("################################################################\r\n"))
        #expect(feed.contains("# id,dateadded,url,url_status,last_online,threat,tags,urlhaus_link,reporter\r\n"))
        #expect(feed.contains("\"http://asdklgb.cf/Mozi.m\",\"online\""))
        #expect(feed.contains("\"AgentTesla,exe\""))
        let rows = feed.components(separatedBy: "\r\n").filter { $0.hasPrefix("\"") }
        #expect(rows.count == summary.feedRows)
        #expect(rows.allSatisfy { $0.components(separatedBy: "\",\"").count == 9 })
    }

    @Test func tooSmallADictionaryIsRefused() throws {
        let directory = try TemporaryDirectory("builtin-small")
        let words = directory.file("words")
        try Data("apple\nbanana\ncherry\n".utf8).write(to: words)
        #expect(throws: BuiltinSample.GenerationError.self) {
            _ = try BuiltinSample(seed: 1, brands: ["google.com"]).write(to: directory.file("out"), dictionary: words)
        }
    }
}
