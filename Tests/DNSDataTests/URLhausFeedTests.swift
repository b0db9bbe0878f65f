import DNSData
import Foundation
import TestSupport
import Testing

@Suite struct URLhausFeedTests {
    let recent = TestPaths.sharedData.appendingPathComponent("urlhaus_recent.csv")

    static let header = """
        ################################################################
        # abuse.ch URLhaus Database Dump (CSV - recent URLs only)      #
        ################################################################
        #
        # id,dateadded,url,url_status,last_online,threat,tags,urlhaus_link,reporter

        """

    /// Python's csv module reads the non-comment lines and urllib finds each URL's host.
    private static let oracleScript = #"""
import csv
import json
import sys
import urllib.parse

with open(sys.argv[1], newline='', encoding='utf-8') as f:
    lines = [line for line in f if not line.startswith('#') and line.strip()]
rows = []
for fields in csv.reader(lines):
    host = urllib.parse.urlsplit(fields[2]).hostname or ''
    rows.append({'fields': fields, 'host': host.rstrip('.')})
print(json.dumps(rows))
"""#

    private func fields(of entry: ThreatFeedEntry) -> [String] {
        [String(entry.id), entry.dateadded, entry.url, entry.urlStatus, entry.lastOnline ?? "", entry.threat, entry.tags, entry.urlhausLink, entry.reporter]
    }

    @Test func realDumpMatchesPythonsCSVModule() throws {
        let (entries, rejected) = try URLhausFeed.parse(try Data(contentsOf: recent), source: recent.path)
        #expect(rejected.isEmpty, "\(rejected.prefix(3))")
        let output = try TwistPythonRunner.run(script: Self.oracleScript, arguments: [recent.path])
        let oracle = try #require(try JSONSerialization.jsonObject(with: output) as? [[String: Any]])
        #expect(entries.count == oracle.count)
        #expect(entries.count == 293)
        for (entry, row) in zip(entries, oracle) {
            let expected = row["fields"] as? [String] ?? []
            #expect(fields(of: entry) == expected)
            #expect(entry.host == row["host"] as? String, "\(entry.url)")
        }
    }

    @Test func realDumpTiesAgentTeslaToItsDomain() throws {
        let (entries, _) = try URLhausFeed.parse(try Data(contentsOf: recent), source: recent.path)
        let tesla = entries.filter { $0.host == "asdklgb.cf" || $0.host.hasSuffix(".asdklgb.cf") }
        #expect(tesla.count == 3)
        #expect(tesla.allSatisfy { $0.tagList.contains("AgentTesla") })
        let first = try #require(entries.first)
        #expect(first.id == 3878000)
        #expect(first.host == "nativemedia.ca")
        #expect(first.lastOnline == nil)
        #expect(first.tagList == ["AgentTesla", "zip"])
        let online = try #require(entries.first { $0.urlStatus == "online" })
        #expect(online.lastOnline == online.dateadded)
    }

    @Test func olderEightColumnLayoutWithAndWithoutHeader() throws {
        let row = #""1","2019-01-01 00:00:00","http://old.example/x.exe","offline","malware_download","Emotet","https://urlhaus.abuse.ch/url/1/","anonymous""#
        let withHeader = "# id,dateadded,url,url_status,threat,tags,urlhaus_link,reporter\n" + row + "\n"
        for text in [withHeader, row + "\n"] {
            let (entries, rejected) = try URLhausFeed.parse(Data(text.utf8), source: "old.csv")
            #expect(rejected.isEmpty)
            let entry = try #require(entries.first)
            #expect(entry.lastOnline == nil)
            #expect(entry.threat == "malware_download")
            #expect(entry.tags == "Emotet")
            #expect(entry.reporter == "anonymous")
            #expect(entry.host == "old.example")
        }
        // A header fixes the layout: a 9-field row under an 8-column header is rejected.
        let mixed = "# id,dateadded,url,url_status,threat,tags,urlhaus_link,reporter\n" + #""2","d","http://a.example/","online","","t","g","l","r""# + "\n"
        let (entries, rejected) = try URLhausFeed.parse(Data(mixed.utf8), source: "mixed.csv")
        #expect(entries.isEmpty)
        #expect(rejected.first?.line == 2)
        #expect(rejected.first?.reason.contains("expected 8 fields") == true)
    }

    @Test func quotedFieldsKeepCommasAndQuotes() throws {
        let text = Self.header + #""7","2020-08-21 08:53:20","http://evil.example/a,b.php?q=""x""","online","2020-08-21 09:00:00","malware_download","Qakbot,""odd tag"",exe","https://urlhaus.abuse.ch/url/7/","someone, with comma""# + "\n"
        let (entries, rejected) = try URLhausFeed.parse(Data(text.utf8), source: "quotes.csv")
        #expect(rejected.isEmpty)
        let entry = try #require(entries.first)
        #expect(entry.url == #"http://evil.example/a,b.php?q="x""#)
        #expect(entry.tags == #"Qakbot,"odd tag",exe"#)
        #expect(entry.tagList == ["Qakbot", #""odd tag""#, "exe"])
        #expect(entry.reporter == "someone, with comma")
        #expect(entry.lastOnline == "2020-08-21 09:00:00")
    }

    @Test func lineEndingsDoNotChangeTheResult() throws {
        let original = try Data(contentsOf: recent)
        let text = String(decoding: original, as: UTF8.self)
        let lf = text.replacingOccurrences(of: "\r\n", with: "\n")
        #expect(lf != text, "the sample is expected to use CRLF")
        let crlf = try URLhausFeed.parse(original, source: "crlf")
        let unix = try URLhausFeed.parse(Data(lf.utf8), source: "lf")
        let noFinalNewline = try URLhausFeed.parse(Data(lf.trimmingCharacters(in: .newlines).utf8), source: "lf")
        #expect(crlf.entries == unix.entries)
        #expect(crlf.entries == noFinalNewline.entries)
    }

    @Test func truncatedDumpKeepsWholeRowsAndRejectsTheCutOne() throws {
        let original = try Data(contentsOf: recent)
        let full = try URLhausFeed.parse(original, source: "full")
        // Cut in the middle of the last row's URL.
        let lastRow = try #require(String(decoding: original, as: UTF8.self).range(of: "https://launch.ca/wp-content"))
        let text = String(decoding: original, as: UTF8.self)
        let cut = String(text[..<lastRow.lowerBound]) + "https://lau"
        let (entries, rejected) = try URLhausFeed.parse(Data(cut.utf8), source: "cut.csv")
        #expect(entries == Array(full.entries.dropLast()))
        #expect(rejected.count == 1)
        #expect(rejected.first?.line == 302)
        #expect(rejected.first?.source == "cut.csv")
        #expect(rejected.first?.reason.contains("not closed") == true)
    }

    @Test func junkRowsAreQuarantinedWithTheirLineNumbers() throws {
        let good = #""1","2020-01-01 00:00:00","http://Good.Example.:8080/x","online","","malware_download","t","l","r""#
        let text = Self.header + [
            good,
            "<html><body>502 Bad Gateway</body></html>",
            #""2","2020-01-01","http://a.example/"x","online","","m","t","l","r""#,
            #""3","2020-01-01","http://a.example/","online","","m","t","l""#,
            #""abc","2020-01-01","http://a.example/","online","","m","t","l","r""#,
            #""5","2020-01-01","","online","","m","t","l","r""#,
            #""6","2020-01-01","http:///nohost","online","","m","t","l","r""#,
            "\u{FFFD}\u{0001}binary",
            "",
            good,
        ].joined(separator: "\r\n")
        let (entries, rejected) = try URLhausFeed.parse(Data(text.utf8), source: "junk.csv")
        #expect(entries.count == 2)
        #expect(entries.first?.host == "good.example")
        #expect(rejected.map(\.line) == [7, 8, 9, 10, 11, 12, 13])
        #expect(rejected.allSatisfy { !$0.reason.isEmpty && !$0.raw.isEmpty && $0.source == "junk.csv" })
        #expect(rejected.first?.raw == "<html><body>502 Bad Gateway</body></html>")
    }

    @Test func somethingElseEntirelyIsRefused() {
        #expect(throws: URLhausFeedError.self) {
            try URLhausFeed.parse(Data("<html>\n<body>Not found</body>\n</html>\n".utf8), source: "page.html")
        }
        #expect(throws: URLhausFeedError.unrecognizedHeader(source: "h.csv", line: 1, missing: ["url", "tags"])) {
            try URLhausFeed.parse(Data("# id,dateadded,link,url_status,threat,labels,urlhaus_link,reporter\n".utf8), source: "h.csv")
        }
        // An empty dump, or one with nothing but its header, is empty, not an error.
        #expect((try? URLhausFeed.parse(Data(), source: "empty"))?.entries.isEmpty == true)
        #expect((try? URLhausFeed.parse(Data(Self.header.utf8), source: "header"))?.entries.isEmpty == true)
    }

    @Test func longRejectedLinesAreCutForQuarantine() throws {
        let long = String(repeating: "é", count: QuarantinedLine.maxRawBytes)
        let (_, rejected) = try URLhausFeed.parse(Data((Self.header + long + "\n").utf8), source: "long")
        let raw = try #require(rejected.first?.raw)
        #expect(raw.utf8.count <= QuarantinedLine.maxRawBytes)
        #expect(raw.utf8.count >= QuarantinedLine.maxRawBytes - 3)
    }
}
