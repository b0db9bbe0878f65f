import Foundation

/// Parallel coordinates: one vertical axis per hyperparameter and one for the metric, one
/// line per trial. Lines are shaded by the metric (darker = better) and the best trial is
/// drawn last, thick and labelled, so it stands out without colour.
struct ParallelCoordinates {
    /// An axis: numeric values per trial (nil where the trial has no such parameter), or
    /// categories.
    struct Axis {
        var name: String
        var values: [Double?]
        var categories: [String]?
    }

    var title: String
    var axes: [Axis]
    /// Per trial, 0 (worst) to 1 (best), for shading.
    var quality: [Double]
    var bestIndex: Int?
    var bestLabel: String
    var width: Double = 1160
    var height: Double = 440

    func render() -> String {
        // Below each axis a slot marked "n/a" takes the trials without that parameter (another
        // algorithm's), so that every trial stays one unbroken line.
        let top = 70.0, bottom = height - 64, missingY = height - 42, left = 110.0, right = width - 150
        let gap = axes.count > 1 ? (right - left) / Double(axes.count - 1) : 0
        var scales: [ChartScale] = []
        for axis in axes {
            if let categories = axis.categories {
                scales.append(ChartScale(lower: -0.5, upper: Double(max(1, categories.count)) - 0.5, pixels: (bottom, top)))
            } else {
                let values = axis.values.compactMap { $0 }
                scales.append(ChartScale(values: values, logarithmic: ChartScale.prefersLog(values), pixels: (bottom, top), padFraction: 0.02))
            }
        }
        var out = SVG.open(width: width, height: height, title: title)
        out += SVG.text(8, 20, title, size: 14, weight: "600")
        let trialCount = quality.count
        // Thin, translucent lines stay readable at hundreds of trials.
        let opacity = trialCount > 100 ? 0.35 : 0.6
        let order = (0..<trialCount).sorted { quality[$0] < quality[$1] }.filter { $0 != bestIndex }
        for trial in order + (bestIndex.map { [$0] } ?? []) {
            let points = axes.enumerated().map { index, axis in
                (left + Double(index) * gap, axis.values[trial].map { scales[index].pixel($0) } ?? missingY)
            }
            out += trial == bestIndex ? SVG.polyline(points, stroke: "#000000", width: 3.5)
                                      : SVG.polyline(points, stroke: shade(quality[trial]), width: 1.2, opacity: opacity)
        }
        for (index, axis) in axes.enumerated() {
            let x = left + Double(index) * gap
            out += SVG.line(x, top, x, bottom, stroke: "#333333", width: 1.5)
            if axis.values.contains(where: { $0 == nil }) {
                out += SVG.line(x - 4, missingY, x + 4, missingY, stroke: "#333333")
                out += SVG.text(x - 6, missingY + 4, "n/a", anchor: "end", size: 11, fill: "#555555")
            }
            // Axis names alternate between two rows so long names never collide.
            let nameY = index % 2 == 0 ? top - 30 : top - 14
            out += SVG.text(x, nameY, axis.name, anchor: "middle", size: 12, weight: "600")
            let scale = scales[index]
            let ticks: [(Double, String)]
            if let categories = axis.categories {
                ticks = categories.enumerated().map { (Double($0.offset), $0.element) }
            } else {
                ticks = scale.ticks(5).map { ($0, scale.label($0)) }
            }
            for (value, label) in ticks {
                let y = scale.pixel(value)
                out += SVG.line(x - 4, y, x, y, stroke: "#333333")
                out += "<text x=\"\(SVG.number(x - 6))\" y=\"\(SVG.number(y + 4))\" font-size=\"11\" text-anchor=\"end\" fill=\"#222222\" stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\">\(HTML.escape(label))</text>"
            }
        }
        if let bestIndex, let last = axes.indices.last, let value = axes[last].values[bestIndex] {
            let y = scales[last].pixel(value)
            out += SVG.star(right, y, radius: 8, fill: "#FFD400", tooltip: bestLabel)
            out += SVG.text(right + 12, y + 4, bestLabel, size: 12, weight: "600")
        }
        // Shading key: what dark and light mean, in words.
        let keyY = height - 10
        for step in 0..<10 {
            out += "<rect x=\"\(SVG.number(left + Double(step) * 14))\" y=\"\(SVG.number(keyY - 10))\" width=\"14\" height=\"10\" fill=\"\(shade(Double(step) / 9))\"/>"
        }
        out += SVG.text(left + 146, keyY, "worse → better metric (best trial: thick black line, star)", size: 11)
        return out + "</svg>"
    }

    /// Light grey-blue for poor trials to dark blue for good ones.
    private func shade(_ quality: Double) -> String {
        let q = min(1, max(0, quality.isFinite ? quality : 0))
        let from = (r: 200.0, g: 214.0, b: 229.0), to = (r: 8.0, g: 48.0, b: 107.0)
        func channel(_ a: Double, _ b: Double) -> Int { Int((a + (b - a) * q).rounded()) }
        return String(format: "#%02X%02X%02X", channel(from.r, to.r), channel(from.g, to.g), channel(from.b, to.b))
    }
}

/// Horizontal bars with names on the left and values at the bar ends.
struct HorizontalBarChart {
    var title: String
    var items: [(name: String, value: Double, shown: String)]
    var valueLabel: String
    var width: Double = 1160

    func render() -> String {
        let rowHeight = 22.0, top = 34.0
        let height = top + Double(items.count) * rowHeight + 44
        let longest = items.map(\.name.count).max() ?? 10
        let left = min(360, max(120, Double(longest) * 7.2 + 16))
        let right = width - 110
        let maximum = items.map { abs($0.value) }.max() ?? 1
        let scale = ChartScale(lower: 0, upper: maximum > 0 ? maximum : 1, pixels: (left, right))
        var out = SVG.open(width: width, height: height, title: title)
        out += SVG.text(8, 20, title, size: 14, weight: "600")
        for tick in scale.ticks(6) {
            let x = scale.pixel(tick)
            out += SVG.line(x, top - 4, x, top + Double(items.count) * rowHeight, stroke: "#e3e3e3")
            out += SVG.text(x, top + Double(items.count) * rowHeight + 16, scale.label(tick), anchor: "middle", size: 11)
        }
        for (index, item) in items.enumerated() {
            let y = top + Double(index) * rowHeight
            let x1 = scale.pixel(abs(item.value))
            // Negative values (a linear model's weights) are hatched as well as lighter.
            let negative = item.value < 0
            out += "<rect x=\"\(SVG.number(left))\" y=\"\(SVG.number(y + 3))\" width=\"\(SVG.number(max(1, x1 - left)))\" height=\"\(SVG.number(rowHeight - 6))\" fill=\"\(negative ? "url(#hatch)" : "#0072B2")\" stroke=\"#0072B2\"><title>\(HTML.escape(item.name)): \(HTML.escape(item.shown))</title></rect>"
            out += SVG.text(left - 6, y + rowHeight / 2 + 4, item.name, anchor: "end", size: 12)
            out += SVG.text(x1 + 6, y + rowHeight / 2 + 4, item.shown, size: 12)
        }
        out += "<defs><pattern id=\"hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#cfe3f3\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#0072B2\" stroke-width=\"2\"/></pattern></defs>"
        out += SVG.text((left + right) / 2, height - 8, valueLabel, anchor: "middle", size: 13)
        return out + "</svg>"
    }
}

/// Vertical bars over categories (days), the value printed on each bar when there is room.
struct ColumnChart {
    var title: String
    var categories: [String]
    var values: [Double]
    var yLabel: String
    var width: Double = 1160
    var height: Double = 340

    func render() -> String {
        let left = 70.0, right = width - 20, top = 34.0, bottom = height - 60
        let count = max(1, categories.count)
        let slot = (right - left) / Double(count)
        let scale = ChartScale(values: values + [0], pixels: (bottom, top), includeZero: true, padFraction: 0.08)
        var out = SVG.open(width: width, height: height, title: title)
        out += SVG.text(left, 20, title, size: 14, weight: "600")
        for tick in scale.ticks(5) {
            let y = scale.pixel(tick)
            out += SVG.line(left, y, right, y, stroke: "#e3e3e3")
            out += SVG.text(left - 6, y + 4, scale.label(tick), anchor: "end")
        }
        // Labels every k-th category so that no two overlap (about 80 px per label).
        let labelEvery = max(1, Int(ceil(80 / slot)))
        for (index, value) in values.enumerated() {
            let x = left + Double(index) * slot
            let y = scale.pixel(value)
            let barWidth = max(1, slot * 0.7)
            out += "<rect x=\"\(SVG.number(x + (slot - barWidth) / 2))\" y=\"\(SVG.number(y))\" width=\"\(SVG.number(barWidth))\" height=\"\(SVG.number(max(0, bottom - y)))\" fill=\"#D55E00\"><title>\(HTML.escape(categories[index])): \(ReportNumber.count(Int(value)))</title></rect>"
            if slot >= 34 { out += SVG.text(x + slot / 2, y - 4, ReportNumber.count(Int(value)), anchor: "middle", size: 11) }
            if index % labelEvery == 0 { out += SVG.text(x + slot / 2, bottom + 16, categories[index], anchor: "middle", size: 11) }
        }
        out += SVG.line(left, bottom, right, bottom, stroke: "#555555")
        out += SVG.text(16, (top + bottom) / 2, yLabel, anchor: "middle", size: 13, rotate: -90)
        out += SVG.text((left + right) / 2, height - 12, "day (UTC)", anchor: "middle", size: 13)
        return out + "</svg>"
    }
}

/// A Gantt-style timeline: one row per task attempt, bars from start to end, the state and
/// duration written beside each bar (the fill pattern differs by state as well).
struct TimelineChart {
    struct Row {
        var label: String
        var start: Double?
        var end: Double?
        var state: String
        var detail: String
    }

    var title: String
    var rows: [Row]
    var origin: Double
    var width: Double = 1160

    func render() -> String {
        let rowHeight = 26.0, top = 40.0
        let height = top + Double(rows.count) * rowHeight + 46
        let left = min(300, max(150, Double(rows.map(\.label.count).max() ?? 10) * 7.2 + 16)), right = width - 250
        let span = max(1, rows.compactMap { $0.end ?? $0.start }.map { $0 - origin }.max() ?? 1)
        let scale = ChartScale(lower: 0, upper: span, pixels: (left, right))
        var out = SVG.open(width: width, height: height, title: title)
        out += SVG.text(8, 20, title, size: 14, weight: "600")
        out += "<defs><pattern id=\"failhatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#f4c7c3\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#a4161a\" stroke-width=\"2\"/></pattern></defs>"
        for tick in scale.ticks(8) {
            let x = scale.pixel(tick)
            out += SVG.line(x, top - 6, x, top + Double(rows.count) * rowHeight, stroke: "#e3e3e3")
            out += SVG.text(x, top + Double(rows.count) * rowHeight + 16, scale.label(tick), anchor: "middle", size: 11)
        }
        for (index, row) in rows.enumerated() {
            let y = top + Double(index) * rowHeight
            out += SVG.text(left - 8, y + rowHeight / 2 + 4, row.label, anchor: "end", size: 12)
            guard let start = row.start else {
                out += SVG.text(left + 4, y + rowHeight / 2 + 4, "\(row.state): \(row.detail)", size: 12, fill: "#555555")
                continue
            }
            let x0 = scale.pixel(start - origin)
            let x1 = max(x0 + 2, scale.pixel((row.end ?? start) - origin))
            let fill: String
            switch row.state {
            case "SUCCESS": fill = "#009E73"
            case "FAILED", "TIMEDOUT", "INTERNAL_ERROR", "CANCELED": fill = "url(#failhatch)"
            default: fill = "#BBBBBB"
            }
            out += "<rect x=\"\(SVG.number(x0))\" y=\"\(SVG.number(y + 4))\" width=\"\(SVG.number(x1 - x0))\" height=\"\(SVG.number(rowHeight - 8))\" fill=\"\(fill)\" stroke=\"#333333\" stroke-width=\"0.5\"><title>\(HTML.escape(row.label)): \(HTML.escape(row.state)) \(HTML.escape(row.detail))</title></rect>"
            out += SVG.text(x1 + 6, y + rowHeight / 2 + 4, "\(row.state) · \(row.detail)", size: 12)
        }
        out += SVG.text((left + right) / 2, height - 8, "seconds since the job run started", anchor: "middle", size: 13)
        return out + "</svg>"
    }
}
