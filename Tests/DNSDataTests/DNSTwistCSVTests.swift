import DNSData
import Foundation
import TestSupport
import Testing

@Suite struct DNSTwistCSVTests {
    let accelerator = TestPaths.sharedData.appendingPathComponent("domains_dnstwists.csv")

    @Test func readsTheAcceleratorsFile() throws {
        let rows = try DNSTwistCSV.read(accelerator)
        #expect(rows.count == 248)
        #expect(rows.first == Typosquat(fuzzer: "addition", domain: "googlea.com"))
        #expect(rows.contains(Typosquat(fuzzer: "addition", domain: "googlee.com")))
        let perFuzzer = Dictionary(grouping: rows, by: \.fuzzer).mapValues(\.count)
        #expect(perFuzzer["homoglyph"] == 100)
        #expect(perFuzzer["bitsquatting"] == 26)
        #expect(perFuzzer["various"] == 1)
        // Unicode lookalikes arrive as A-labels, the form DNS logs carry.
        let hasALabel = rows.contains(Typosquat(fuzzer: "homoglyph", domain: "xn--googe-t81b.com")) // googịe.com
        #expect(hasALabel)
        let allASCII = rows.allSatisfy { $0.domain.unicodeScalars.allSatisfy(\.isASCII) }
        #expect(allASCII)
    }

    /// The accelerator's list came from an older dnstwist that kept only registered domains,
    /// so every domain it lists should be among today's permutations, save for fuzzers whose
    /// rules have changed since.
    @Test func acceleratorsListIsMostlyWithinGeneratedPermutations() throws {
        let listed = try DNSTwistCSV.read(accelerator)
        let generated = Set(try TyposquatGenerator().permutations(of: "google.com").map(\.domain))
        let missing = listed.filter { !generated.contains($0.domain) }
        print("domains_dnstwists.csv: \(listed.count) rows, \(listed.count - missing.count) generated too; not generated: \(missing.map { "\($0.fuzzer):\($0.domain)" })")
        // 241 of 248 on the 2020s file: the rest are homoglyphs three swaps deep or on another TLD.
        #expect(listed.count - missing.count >= 240)
        let additionsGenerated = listed.filter { $0.fuzzer == "addition" }.allSatisfy { generated.contains($0.domain) }
        #expect(additionsGenerated)
    }

    @Test func acceptsDNSTwistsOwnCSVAndQuotedFields() throws {
        let text = "fuzzer,domain,dns_a\r\n*original,google.com,1.2.3.4\r\nomission,GOGLE.com,\"1.2.3.4,5.6.7.8\"\r\n\r\n"
        let rows = try DNSTwistCSV.parse(Data(text.utf8), path: "own.csv")
        #expect(rows == [Typosquat(fuzzer: "omission", domain: "gogle.com")])
    }

    @Test func refusesFilesWithoutHeaderOrWithBrokenRows() {
        #expect(throws: DNSTwistCSV.ReadError.missingHeader(path: "x.csv")) {
            try DNSTwistCSV.parse(Data("addition,googlea.com,\n".utf8), path: "x.csv")
        }
        #expect(throws: DNSTwistCSV.ReadError.self) {
            try DNSTwistCSV.parse(Data("PERMUTATIONTYPE,domain,meta\naddition,\"googlea.com\n".utf8), path: "x.csv")
        }
        #expect(throws: DNSTwistCSV.ReadError.self) {
            try DNSTwistCSV.read(URL(fileURLWithPath: "/nonexistent/dnstwists.csv"))
        }
    }
}
