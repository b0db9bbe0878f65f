import Foundation

/// One figure of a benchmark with an optional target, as `bench ingest` and `bench pipeline`
/// print it: a row of the terminal table, or a JSON object with `--json`.
struct BenchFigure: Encodable {
    var name: String
    var value: Double
    var unit: String
    /// The figure to reach (at least), when the issue sets one.
    var target: Double?

    /// The aligned table of `figures`: rates rounded to whole numbers, targets marked met or not.
    static func table(_ figures: [BenchFigure]) -> String {
        var table = TextTable(["measure", "value", "unit", "target"])
        for figure in figures {
            table.add([figure.name, figure.value >= 100 ? Format.number(figure.value.rounded()) : String(format: "%.2f", figure.value), figure.unit,
                       figure.target.map { Format.number($0) + (figure.value >= $0 ? " met" : " NOT met") } ?? ""])
        }
        return table.render()
    }
}
