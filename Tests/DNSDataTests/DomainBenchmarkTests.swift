import DNSData
import Foundation
import TestSupport
import Testing

@Suite struct DomainBenchmarkTests {
    /// The benchmark behind `runme bench ingest` runs on the sample hostnames and counts what
    /// it timed. The speed itself is a figure the command prints, not a test.
    @Test func benchmarkPathWorks() throws {
        let psl = try PublicSuffixList()
        let hostnames = try DomainBenchmark.sampleHostnames(dataDirectory: TestPaths.sharedData)
        #expect(hostnames.count == 101_000)
        // Booleans, not the array, in the expectations: a failure would print it whole.
        let hasAlexa = hostnames.first == "facebook.com"
        let hasRRNames = hostnames.last?.hasSuffix(".") == true
        #expect(hasAlexa && hasRRNames)
        let result = DomainBenchmark.run(psl: psl, hostnames: hostnames, minimumCount: hostnames.count) { _ in }
        #expect(result.count == hostnames.count)
        #expect(result.hostnamesPerSecond > 0 && result.cpuHostnamesPerSecond > 0)
        #expect(DomainBenchmark.run(psl: psl, hostnames: [], progress: { _ in }) == (0, 0, 0))
    }
}
