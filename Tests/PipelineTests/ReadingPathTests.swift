#if canImport(Glibc)
import CMalloc
#endif
import DNSData
import Foundation
@testable import Pipeline
import Testing

/// The reading thread's shortcuts (a name split as logged, rows moved through the
/// expectations rather than copied) must give what the longer ways give.
@Suite struct ReadingPathTests {
    struct Item: Sendable, Equatable { var name: String; var value: Int }

    @Test func aPlainLowerCaseNameSplitsAsItsCopyWithoutTheRootDot() throws {
        let suffixes = try PublicSuffixList()
        let plain = ["ns1.asdklgb.cf.", "www.maxinfo.co.jp.", "google.com", "a..b.com.", "trailing.dots.com...", ".", "...", "",
                     "1.2.3.4.", "192.168.0.1", "com.", "co.uk.", "x.github.io.", "xn--80ak6aa92e.com.", "localhost.",
                     "verylongsubdomainname.with.many.labels.evil-domain-example.co.uk.", "a_b-c.example.org."]
        for name in plain {
            #expect(Enricher.isPlainLowercaseName(name), "\(name)")
            var host = Substring(name)
            while host.hasSuffix(".") { host.removeLast() }
            let asLogged = suffixes.extract(name)
            let trimmed = suffixes.extract(String(host))
            #expect(asLogged.registeredDomain == trimmed.registeredDomain, "\(name)")
            #expect(asLogged.domain == trimmed.domain, "\(name)")
            #expect(asLogged.isIPAddress == trimmed.isIPAddress, "\(name)")
        }
        // Upper case, non-ASCII, white space and control bytes, and anything that makes the
        // split look for a URL, a port or an IPv6 address take the long way.
        let other = ["WWW.Example.COM.", "mixed.Ex.com.", "ünïcode.example.de", "сбер.рф.", "foo\u{3002}bar.com.", "sp ace.com.",
                     "tab\tname.com.", "\u{7F}del.com.", "host.example.com:53.", "::1.", "[::1]:53", "http://x.evil.com/path.",
                     "user@mail.bad.cf.", "q?x.com.", "hash#x.com.", "br[x.com."]
        for name in other { #expect(!Enricher.isPlainLowercaseName(name), "\(name)") }
    }

    @Test func rowsMovedThroughTheExpectationsKeepTheirText() throws {
        // Names longer than a small string's 15 bytes live on the heap: a row moved out of
        // the batch and back must leave them whole and counted right.
        @Sendable func item(_ value: Int) -> Item { Item(name: "a-name-long-enough-for-the-heap-\(value)", value: value) }
        let table = PipelineTable<Int, Item>(name: "items", source: "numbers", quarantineTable: "items_quarantine",
                                             expectations: [.expectOrQuarantine("positive") { $0.value > 0 },
                                                            .expectOrDrop("below_100") { $0.value < 100 },
                                                            .expectOrFail("not_66") { $0.value != 66 }]) { $0.map(item) }
        let ledger = ExpectationLedger()
        let all = try table.run(Array(1...50), ledger: ledger, describe: \.name)
        #expect(all.kept == (1...50).map(item))
        #expect(all.quarantined.isEmpty)
        let mixed = try table.run([-3, 5, 200, 7, -1], ledger: ledger, describe: \.name)
        #expect(mixed.kept == [item(5), item(7)])
        #expect(mixed.quarantined.map(\.row) == [item(-3), item(-1)])
        #expect(mixed.quarantined.map(\.expectations) == ["positive", "positive"])
        #expect(throws: PipelineError.expectationFailed(table: "items", expectation: "not_66", row: item(66).name)) {
            try table.run([1, 66, 2], ledger: ledger, describe: \.name)
        }
        // The batch after a failure is checked as any other.
        #expect(try table.run([8, 9], ledger: ledger, describe: \.name).kept == [item(8), item(9)])
        let counts = Dictionary(uniqueKeysWithValues: ledger.entries.map { ($0.expectation, $0.counts) })
        #expect(counts["positive"] == ExpectationCounts(passed: 50 + 3 + 2 + 2, failed: 2, dropped: 2))
        #expect(counts["below_100"] == ExpectationCounts(passed: 50 + 4 + 2 + 2, failed: 1, dropped: 1))
        #expect(counts["not_66"] == ExpectationCounts(passed: 50 + 5 + 1 + 2, failed: 1, dropped: 0))
    }
}

#if canImport(Glibc)
/// The pipeline's malloc settings: a batch-sized block comes from the heap, not from a fresh
/// `mmap` that the kernel would zero again for every batch.
@Suite struct AllocatorTuningTests {
    @Test func aBatchSizedBlockIsNotMappedOnItsOwnOnceTuned() throws {
        try #require(getenv("GLIBC_TUNABLES") == nil, "GLIBC_TUNABLES is set: the pipeline leaves malloc alone then")
        #expect(AllocatorTuning.applied)
        let mappedBefore = mallinfo2().hblkhd
        // 20 MB: above glibc's default mmap threshold (128 KiB, rising only as blocks are
        // freed), below the fixed 32 MiB one.
        let block = try #require(malloc(20 << 20))
        defer { free(block) }
        memset(block, 1, 20 << 20)
        #expect(mallinfo2().hblkhd == mappedBefore)
    }
}
#endif
