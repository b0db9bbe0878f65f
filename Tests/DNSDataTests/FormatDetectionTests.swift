import DNSData
import Foundation
import TestSupport
import Testing

@Suite struct FormatDetectionTests {
    @Test func detectsFromTheFirstDecidingLine() throws {
        #expect(try FormatDetection.detect(lines: [#"{"rrname":"a.","rrtype":"A","rdata":[],"time_first":1,"time_last":1}"#]) == .cof)
        #expect(try FormatDetection.detect(lines: ["", "#separator \\x09", "#fields\tts"]) == .zeek)
        #expect(try FormatDetection.detect(lines: [#"{"ts":1.5,"uid":"C1","query":"a.example"}"#]) == .zeekJSON)
        #expect(try FormatDetection.detect(lines: [#"{"timestamp":"2020-01-01T00:00:00Z","event_type":"flow"}"#]) == .suricata)
        #expect(try FormatDetection.detect(lines: ["# comment", "raw_domain", "abc.info "]) == .csv)
        // A line that is not JSON is passed over when a later one decides.
        #expect(try FormatDetection.detect(lines: ["{cut", #"{"rrname":"a."}"#]) == .cof)
        #expect(try FormatDetection.detect(lines: ["", "  "]) == nil)
        #expect(try FormatDetection.detect(lines: []) == nil)
    }

    @Test func refusesWhatIsNotADNSLog() throws {
        #expect(throws: DNSLogError.self) { try FormatDetection.detect(lines: ["<html><body>Not found</body></html>"]) }
        #expect(throws: DNSLogError.self) { try FormatDetection.detect(lines: [#"[{"rrname":"a."}]"#]) }
        #expect(throws: DNSLogError.self) { try FormatDetection.detect(lines: [#"{"name":"x","value":1}"#]) }

        let dir = try TemporaryDirectory("detect")
        let gzip = try ReaderFixtures.write(Data([0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03]), named: "dns.json.gz", in: dir)
        #expect(throws: DNSLogError.compressed(path: gzip.path, kind: "gzip")) { try FormatDetection.detect(fileAt: gzip) }
        // Even when the format is named, compressed bytes are refused rather than quarantined line by line.
        #expect(throws: DNSLogError.compressed(path: gzip.path, kind: "gzip")) { try DNSLogReader(fileAt: gzip, format: .cof) }

        var junk = Data()
        // Bytes of every value but the line end, so that the whole file is one binary line.
        for i in 0..<4096 {
            let byte = UInt8(truncatingIfNeeded: i &* 7919 % 251)
            junk.append(byte == 0x0A ? 0x00 : byte)
        }
        junk[0] = 0x00
        let binary = try ReaderFixtures.write(junk, named: "junk.bin", in: dir)
        let error = #expect(throws: DNSLogError.self) { try FormatDetection.detect(fileAt: binary) }
        #expect(error?.description.contains("binary") == true)

        #expect(throws: DNSLogError.self) { try DNSLogReader(fileAt: dir.file("missing.json")) }
        #expect(throws: DNSLogError.self) { try DNSLogReader(fileAt: dir.url) }
    }

    @Test func formatNamesAreTheRawValues() {
        #expect(DNSLogFormat.allCases.map(\.rawValue) == ["cof", "zeek", "zeek-json", "suricata", "csv"])
        #expect(DNSLogFormat(name: "Zeek-JSON") == .zeekJSON)
        #expect(DNSLogFormat(name: "parquet") == nil)
    }
}
