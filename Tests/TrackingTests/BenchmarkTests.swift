import Foundation
import Testing
@testable import Tracking

@Suite("Store benchmark")
struct BenchmarkTests {
    // Checks that the benchmark runs every workload and reports sane figures; no timing
    // assertions (tests run in debug builds on shared machines).
    @Test("a small benchmark produces every figure, nonzero, and cleans up")
    func smoke() throws {
        try withTemporaryDirectory { root in
            var lines: [String] = []
            let figures = try StoreBenchmark.run(in: root, sizes: .smoke) { lines.append($0) }
            #expect(figures.count == 5)
            #expect(figures.allSatisfy { $0.value > 0 && $0.value.isFinite && !$0.name.isEmpty && !$0.unit.isEmpty })
            #expect(figures.filter { $0.target != nil }.count == 3)
            #expect(figures.filter { $0.mlflowReference != nil }.count == 4)
            #expect(figures.first?.unit == "runs/s")
            #expect(lines.count == 2 * figures.count)
            #expect(try FileManager.default.contentsOfDirectory(atPath: root.path).isEmpty)
            let figure = BenchmarkFigure(name: "x", value: 2_000, unit: "runs/s", mlflowReference: 4.8, target: 1_000)
            #expect(figure.meetsTarget == true)
            #expect("\(figure)".contains("met"))
        }
    }
}
