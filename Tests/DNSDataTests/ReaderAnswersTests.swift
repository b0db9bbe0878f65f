import DNSData
import Foundation
import TestSupport
import Testing

/// The answers of records read with ``DNSLogReader``: plain ones take a short path past the
/// JSON parser, and must come out exactly as the parser decodes them.
@Suite struct ReaderAnswersTests {
    @Test func answersDecodeAsJSONDoes() throws {
        let dir = try TemporaryDirectory("answers")
        let answers: [[String]] = [
            [],
            ["1.2.3.4"],
            ["1.2.3.4", "5.6.7.8", "9.9.9.9"],
            [""],
            ["", "a"],
            ["\"v=spf1 include:_spf.google.com ~all\""],
            ["with,comma", "and \"quotes\", and a \\ backslash"],
            ["tab\there", "line\nend", "ünïcödé.example.", "日本.jp."],
            ["10 mx1.example.com.", "20 mx2.example.com."],
        ]
        var text = ""
        for (index, rdata) in answers.enumerated() {
            let object: [String: Any] = ["rrname": "n\(index).example.", "rrtype": "TXT", "rdata": rdata,
                                         "time_first": 1_600_000_000 + index, "time_last": 1_600_000_100 + index]
            text += String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self) + "\n"
        }
        let url = try ReaderFixtures.write(text, named: "answers.json", in: dir)
        let contents = try DNSLogReader(fileAt: url, format: .cof).readAll()
        #expect(contents.quarantined.isEmpty)
        #expect(contents.records.map(\.rdata) == answers)
        #expect(contents.records.map(\.rdatastr) == answers.map { $0.joined(separator: ",") })
    }

    @Test func theSampleLogsAnswersMatchTheirJSON() throws {
        let url = TestPaths.sharedData.appendingPathComponent("dns_events.json")
        let contents = try DNSLogReader(fileAt: url).readAll()
        let lines = try String(contentsOf: url, encoding: .utf8).split(whereSeparator: \.isNewline)
        #expect(contents.records.count == lines.count)
        for (record, line) in zip(contents.records, lines) {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(record.rdata == (object["rdata"] as? [String] ?? []), "line: \(line)")
        }
    }

    /// `forEachRow` (the scoring pipeline's read) gives each record's text as `forEach` does:
    /// the same names, types, joined answers, times and lines, and the first answer of A and
    /// AAAA records only; bad lines the same.
    @Test func rowsCarryTheRecordsText() throws {
        let dir = try TemporaryDirectory("rows")
        var lines = try String(contentsOf: ReaderFixtures.dnsEvents, encoding: .utf8).split(whereSeparator: \.isNewline).map(String.init)
        lines += [
            #"{"rrname":"a.example.","rrtype":"A","rdata":["1.2.3.4","5.6.7.8"],"time_first":1,"time_last":2}"#,
            #"{"rrname":"b.example.","rrtype":"AAAA","rdata":"2001:db8::1","time_first":1,"time_last":2}"#,
            #"{"rrname":"c.example.","rrtype":"A","rdata":[],"time_first":1,"time_last":2}"#,
            #"{"rrname":"d.example.","rrtype":"A","rdata":["x\"y,z","w"],"time_first":1,"time_last":2}"#,
            #"{"rrname":"e.example.","rrtype":"TXT","rdata":["v=\"spf1\" a,b"],"time_first":1.5e9,"time_last":2}"#,
            "not json",
            #"{"rrname":"f.example.","rrtype":"A"}"#,
        ]
        let url = try ReaderFixtures.write(lines.joined(separator: "\n") + "\n", named: "rows.json", in: dir)
        let reader = try DNSLogReader(fileAt: url, format: .cof)
        func text(_ values: [Any?]) -> String { values.map { $0.map { "\($0)" } ?? "nil" }.joined(separator: "|") }
        var expected: [String] = []
        let counts = try reader.forEach { entry in
            switch entry {
            case let .record(record, line):
                let address = record.rrtype == "A" || record.rrtype == "AAAA" ? record.rdata.first : nil
                expected.append(text([record.rrname, record.rrtype, record.rdatastr, address, record.timeFirst, record.timeLast, line]))
            case let .quarantined(bad):
                expected.append(text(["quarantined", bad.line, bad.reason, bad.raw]))
            }
        }
        var rows: [DNSLogRow] = []
        let rowCounts = try reader.forEachRow { rows.append($0) }
        #expect(rows.map { row in
            switch row {
            case let .record(record):
                return text([record.rrname, record.rrtype, record.rdatastr, record.address, record.timeFirst, record.timeLast, record.line])
            case let .quarantined(bad):
                return text(["quarantined", bad.line, bad.reason, bad.raw])
            }
        } == expected)
        #expect(rowCounts == counts)
        #expect(rows.count == lines.count)
        guard case let .record(quoted) = rows[rows.count - 3] else {
            Issue.record("the escaped TXT line is not a record")
            return
        }
        #expect(quoted.rdatastr == #"v="spf1" a,b"#)
        #expect(quoted.address == nil)
        guard case let .record(escapedA) = rows[rows.count - 4] else {
            Issue.record("the escaped A line is not a record")
            return
        }
        #expect(escapedA.address == #"x"y,z"#)
    }
}
