import DNSData
import Foundation
@testable import Pipeline
import TestSupport
import Testing

/// The enricher asks ``MatchFilter`` before its threat-feed and typosquat dictionary: the
/// filter may say "maybe" for a name the dictionary lacks, never "no" for one it holds.
@Suite struct MatchFilterTests {
    /// The lookalike domains of the shared sample's dnstwist file (the typosquat join's keys).
    func typosquatDomains() throws -> [String] {
        let text = try String(contentsOf: TestPaths.sharedData.appendingPathComponent("domains_dnstwists.csv"), encoding: .utf8)
        return text.split(whereSeparator: \.isNewline).dropFirst().compactMap { line in
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            return fields.count > 1 ? String(fields[1]) : nil
        }
    }

    /// The registered domains of the shared sample's log.
    func loggedDomains() throws -> [String] {
        let suffixes = try PublicSuffixList()
        let reader = try DNSLogReader(fileAt: TestPaths.sharedData.appendingPathComponent("dns_events.json"), source: "dns_events.json")
        var domains: [String] = []
        try reader.forEachRow { row in
            if case let .record(record) = row { domains.append(suffixes.extract(record.rrname).registeredDomain) }
        }
        return domains
    }

    @Test func everyKeyIsFoundAndMostOtherNamesAreRuledOut() throws {
        let keys = try typosquatDomains()
        #expect(keys.count > 200)
        #expect(keys.contains("googlea.com"))
        let filter = MatchFilter(keys)
        for key in keys { #expect(filter.mayContain(key), "\(key)") }

        let logged = try loggedDomains()
        #expect(logged.count > 900)
        let others = Set(logged).subtracting(keys).filter { !$0.isEmpty }
        let maybes = others.filter(filter.mayContain)
        // 2^18 bits for a few hundred keys: a false "maybe" is rare (about 0.1 % expected).
        #expect(Double(maybes.count) <= 0.02 * Double(others.count), "\(maybes.count) of \(others.count): \(maybes.prefix(5))")
        #expect(!MatchFilter([String]()).mayContain("googlea.com"))
    }

    @Test func theHashReadsTheBytesOfAnyString() {
        // Small (inline), long (heap) and non-ASCII strings hash their UTF-8 bytes alike,
        // however the string was made.
        for text in ["a.io", "a-rather-long-registered-domain.co.uk", "bücher.de", ""] {
            let rebuilt = String(decoding: Array(text.utf8), as: UTF8.self)
            #expect(MatchFilter.bit(text) == MatchFilter.bit(rebuilt))
            #expect(MatchFilter.bit(text) < 1 << MatchFilter.hashBits)
            #expect(MatchFilter([text]).mayContain(rebuilt))
        }
        #expect(MatchFilter.bit("googlea.com") != MatchFilter.bit("googleb.com"))
    }
}
