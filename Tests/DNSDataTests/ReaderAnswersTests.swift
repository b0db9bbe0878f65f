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
}
