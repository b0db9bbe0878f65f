import Foundation

/// Realistic, deterministic passive-DNS COF files for benchmarks and load tests outside this
/// module (the scoring pipeline's end-to-end benchmark, crash tests).
public enum COFSample {
    /// Writes `lines` COF lines to `file` (replacing it); returns the size in bytes.
    @discardableResult
    public static func write(lines: Int, to file: URL) throws -> Int64 {
        try IngestBenchmark.generate(lines: max(lines, 0), to: file)
    }
}
