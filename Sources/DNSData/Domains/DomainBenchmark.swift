import Foundation

/// Throughput of ``PublicSuffixList/extract(_:)`` on realistic hostnames, for
/// `runme bench ingest` (tldextract 5 manages about 121,000 hostnames/s; the target here is
/// 3,000,000/s on one core in a release build).
public enum DomainBenchmark {
    /// Extracts every hostname, over and over until at least `minimumCount` extractions
    /// are done, after one untimed warm-up pass, on the calling thread. Each extraction
    /// reads the domain, the part every record needs (the DGA model's input); parts are
    /// made into strings when read, and each further one read costs about as much again
    /// as a third of an extraction.
    ///
    /// - Returns: extractions per second and how many were timed (0 and 0 for no hostnames).
    public static func run(psl: PublicSuffixList, hostnames: [String], minimumCount: Int = 1_000_000,
                           progress: (String) -> Void) -> (hostnamesPerSecond: Double, count: Int) {
        guard !hostnames.isEmpty else { return (0, 0) }
        var checksum = 0
        for host in hostnames { checksum &+= psl.extract(host).domain.utf8.count }
        let passes = max(1, (minimumCount + hostnames.count - 1) / hostnames.count)
        progress("extracting \(hostnames.count) hostnames × \(passes) passes")
        let clock = ContinuousClock()
        let start = clock.now
        for _ in 0..<passes {
            // Summing a field keeps the optimiser from dropping the results.
            for host in hostnames { checksum &+= psl.extract(host).domain.utf8.count }
        }
        let elapsed = start.duration(to: clock.now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        let count = passes * hostnames.count
        let rate = seconds > 0 ? Double(count) / seconds : 0
        progress("\(count) hostnames in \(String(format: "%.3f", seconds)) s: \(Int(rate)) hostnames/s (checksum \(checksum))")
        return (rate, count)
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
