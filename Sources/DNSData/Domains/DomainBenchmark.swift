import Foundation

/// Throughput of ``PublicSuffixList/extract(_:)`` on realistic hostnames, for
/// `runme bench ingest` (tldextract 5 manages about 121,000 hostnames/s; the target here is
/// 3,000,000/s on one core in a release build).
public enum DomainBenchmark {
    /// Extracts every hostname, over and over until at least `minimumCount` extractions
    /// are done, after one untimed warm-up pass, on the calling thread. Each extraction
    /// reads the domain, the part every record needs (the DGA model's input); parts become
    /// strings only when read, and reading all three (subdomain, domain, suffix) takes
    /// about a quarter longer.
    ///
    /// - Returns: extractions per second of wall-clock time and per second of this thread's
    ///   CPU time, and how many were timed (all 0 for no hostnames). On a quiet machine the
    ///   two rates agree; on a shared one the CPU-time rate is the one-core figure, the
    ///   wall-clock one also counts the time other processes had the core.
    public static func run(psl: PublicSuffixList, hostnames: [String], minimumCount: Int = 1_000_000,
                           progress: (String) -> Void) -> (hostnamesPerSecond: Double, cpuHostnamesPerSecond: Double, count: Int) {
        guard !hostnames.isEmpty else { return (0, 0, 0) }
        var checksum = 0
        for host in hostnames { checksum &+= psl.extract(host).domain.utf8.count }
        let passes = max(1, (minimumCount + hostnames.count - 1) / hostnames.count)
        progress("extracting \(hostnames.count) hostnames × \(passes) passes")
        let clock = ContinuousClock()
        let start = clock.now
        let cpuStart = threadCPUSeconds()
        for _ in 0..<passes {
            // Summing a field keeps the optimiser from dropping the results.
            for host in hostnames { checksum &+= psl.extract(host).domain.utf8.count }
        }
        let cpuSeconds = threadCPUSeconds() - cpuStart
        let elapsed = start.duration(to: clock.now)
        let seconds = elapsed / .seconds(1)
        let count = passes * hostnames.count
        let rate = seconds > 0 ? Double(count) / seconds : 0
        let cpuRate = cpuSeconds > 0 ? Double(count) / cpuSeconds : 0
        progress("\(count) hostnames in \(String(format: "%.3f", seconds)) s: \(Int(rate)) hostnames/s"
            + " (\(Int(cpuRate))/s of this thread's CPU time; checksum \(checksum))")
        return (rate, cpuRate, count)
    }

    /// CPU time the calling thread has used, in seconds.
    static func threadCPUSeconds() -> Double {
        var time = timespec()
        guard clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time) == 0 else { return 0 }
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }

    /// Realistic hostnames from the sample data folder: the `uri` column of
    /// `alexa_100k.txt` and the `rrname` of every `dns_events.json` record (with its root dot),
    /// the mix the ingest step sees.
    public static func sampleHostnames(dataDirectory: URL) throws -> [String] {
        var hostnames: [String] = []
        let alexa = try String(contentsOf: dataDirectory.appendingPathComponent("alexa_100k.txt"), encoding: .utf8)
        for line in alexa.split(whereSeparator: \.isNewline).dropFirst() {
            guard let comma = line.firstIndex(of: ",") else { continue }
            hostnames.append(String(line[line.index(after: comma)...]))
        }
        struct Event: Decodable { var rrname: String }
        let events = try String(contentsOf: dataDirectory.appendingPathComponent("dns_events.json"), encoding: .utf8)
        let decoder = JSONDecoder()
        for line in events.split(whereSeparator: \.isNewline) {
            guard let event = try? decoder.decode(Event.self, from: Data(line.utf8)) else { continue }
            hostnames.append(event.rrname)
        }
        return hostnames
    }
}
