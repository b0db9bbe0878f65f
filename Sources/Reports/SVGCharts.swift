import Foundation

/// How one series is drawn. Colour is never the only cue: each style also has its own dash
/// pattern and marker shape, and legends name every series.
struct SeriesStyle {
    var colour: String
    var dash: String
    var marker: Marker

    enum Marker: CaseIterable { case circle, square, triangle, diamond, cross }

    /// Okabe–Ito colours (distinguishable with colour-vision deficiency), cycled with dashes
    /// and markers so that the first 20 styles all differ in shape as well as colour.
    static func at(_ index: Int) -> SeriesStyle {
        let colours = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]
        let dashes = ["", "7 4", "2 3", "9 3 2 3"]
        let markers = Marker.allCases
        return SeriesStyle(colour: colours[index % colours.count], dash: dashes[index % dashes.count],
                           marker: markers[index % markers.count])
    }
}

/// One series of a line chart.
struct ChartSeries {
    var name: String
    var points: [(x: Double, y: Double)]
    var style: SeriesStyle
    var line = true
    /// Markers on every point when true, else on at most `sparseMarkers` spread points.
    var markEveryPoint = false
    var markerRadius = 3.5
    var stepLine = false
}

/// A text label pinned to a data point (the best trial, a threshold).
struct ChartAnnotation {
    var x: Double
    var y: Double
    var text: String
}

/// SVG primitives shared by the charts.
enum SVG {
    static func number(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }

    static func open(width: Double, height: Double, title: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(number(width)) \(number(height))\" width=\"\(number(width))\" height=\"\(number(height))\" role=\"img\" aria-label=\"\(HTML.escape(title))\"><title>\(HTML.escape(title))</title>"
            + "<rect x=\"0\" y=\"0\" width=\"\(number(width))\" height=\"\(number(height))\" fill=\"#ffffff\"/>"
    }

    static func text(_ x: Double, _ y: Double, _ text: String, anchor: String = "start", size: Double = 12,
                     weight: String? = nil, rotate: Double? = nil, fill: String = "#222222") -> String {
        var attributes = "x=\"\(number(x))\" y=\"\(number(y))\" font-size=\"\(number(size))\" text-anchor=\"\(anchor)\" fill=\"\(fill)\""
        if let weight { attributes += " font-weight=\"\(weight)\"" }
        if let rotate { attributes += " transform=\"rotate(\(number(rotate)) \(number(x)) \(number(y)))\"" }
        return "<text \(attributes)>\(HTML.escape(text))</text>"
    }

    static func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String = "#999999", width: Double = 1, dash: String = "") -> String {
        "<line x1=\"\(number(x1))\" y1=\"\(number(y1))\" x2=\"\(number(x2))\" y2=\"\(number(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(number(width))\"\(dash.isEmpty ? "" : " stroke-dasharray=\"\(dash)\"")/>"
    }

    static func polyline(_ points: [(Double, Double)], stroke: String, width: Double, dash: String = "", opacity: Double = 1) -> String {
        let path = points.map { "\(number($0.0)),\(number($0.1))" }.joined(separator: " ")
        return "<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"\(number(width))\" stroke-linejoin=\"round\""
            + (dash.isEmpty ? "" : " stroke-dasharray=\"\(dash)\"") + (opacity < 1 ? " stroke-opacity=\"\(opacity)\"" : "") + "/>"
    }

    static func marker(_ shape: SeriesStyle.Marker, _ x: Double, _ y: Double, radius r: Double, fill: String, tooltip: String? = nil) -> String {
        let title = tooltip.map { "<title>\(HTML.escape($0))</title>" } ?? ""
        let body: String
        switch shape {
        case .circle: body = "<circle cx=\"\(number(x))\" cy=\"\(number(y))\" r=\"\(number(r))\" fill=\"\(fill)\""
        case .square: body = "<rect x=\"\(number(x - r))\" y=\"\(number(y - r))\" width=\"\(number(2 * r))\" height=\"\(number(2 * r))\" fill=\"\(fill)\""
        case .triangle:
            body = "<polygon points=\"\(number(x)),\(number(y - r * 1.2)) \(number(x - r * 1.1)),\(number(y + r * 0.9)) \(number(x + r * 1.1)),\(number(y + r * 0.9))\" fill=\"\(fill)\""
        case .diamond:
            body = "<polygon points=\"\(number(x)),\(number(y - r * 1.3)) \(number(x + r * 1.1)),\(number(y)) \(number(x)),\(number(y + r * 1.3)) \(number(x - r * 1.1)),\(number(y))\" fill=\"\(fill)\""
        case .cross:
            return "<path d=\"M\(number(x - r)) \(number(y - r))L\(number(x + r)) \(number(y + r))M\(number(x - r)) \(number(y + r))L\(number(x + r)) \(number(y - r))\" stroke=\"\(fill)\" stroke-width=\"2\">\(title)</path>"
        }
        return tooltip == nil ? body + "/>" : body + ">\(title)</\(shape == .circle ? "circle" : shape == .square ? "rect" : "polygon")>"
    }

    /// A five-pointed star (the best trial).
    static func star(_ x: Double, _ y: Double, radius r: Double, fill: String, tooltip: String) -> String {
        let points = (0..<10).map { index -> String in
            let angle = Double(index) * .pi / 5 - .pi / 2
            let radius = index % 2 == 0 ? r : r * 0.45
            return "\(number(x + cos(angle) * radius)),\(number(y + sin(angle) * radius))"
        }.joined(separator: " ")
        return "<polygon points=\"\(points)\" fill=\"\(fill)\" stroke=\"#000000\" stroke-width=\"1\"><title>\(HTML.escape(tooltip))</title></polygon>"
    }
}

/// An x/y chart of lines and markers with axes, grid, legend and annotations.
struct LineChart {
    var title: String
    var xLabel: String
    var yLabel: String
    var series: [ChartSeries]
    var annotations: [ChartAnnotation] = []
    var width: Double = 1160
    var height: Double = 380
    var xLog = false
    var yLog = false
    var xRange: ClosedRange<Double>?
    var yRange: ClosedRange<Double>?
    /// A dashed reference line from (x0, y0) to (x1, y1), e.g. chance on a ROC chart.
    var reference: (Double, Double, Double, Double)?
    /// Integer x values only (trial numbers, steps): ticks are whole numbers.
    var integerX = false

    func render() -> String {
        let legendRows = series.count > 1 ? Int(ceil(Double(series.count) / Double(legendColumns))) : 0
        let top = 34.0, left = 74.0, right = 24.0
        let bottom = 52.0 + Double(legendRows) * 18
        let plot = (x0: left, y0: top, x1: width - right, y1: height - bottom)
        let xs = series.flatMap { $0.points.map(\.x) }, ys = series.flatMap { $0.points.map(\.y) }
        let xScale = xRange.map { ChartScale(lower: $0.lowerBound, upper: $0.upperBound, logarithmic: xLog, pixels: (plot.x0, plot.x1)) }
            ?? ChartScale(values: xs, logarithmic: xLog, pixels: (plot.x0, plot.x1))
        let yScale = yRange.map { ChartScale(lower: $0.lowerBound, upper: $0.upperBound, logarithmic: yLog, pixels: (plot.y1, plot.y0)) }
            ?? ChartScale(values: ys, logarithmic: yLog, pixels: (plot.y1, plot.y0), padFraction: 0.05)
        var out = SVG.open(width: width, height: height, title: title)
        out += SVG.text(plot.x0, 20, title, size: 14, weight: "600")
        // Grid and ticks. Tick counts scale with the axis length so labels never crowd.
        let xTicks = integerTicks(xScale, wanted: max(2, Int((plot.x1 - plot.x0) / 90)))
        for tick in xTicks {
            let x = xScale.pixel(tick)
            out += SVG.line(x, plot.y0, x, plot.y1, stroke: "#e3e3e3")
            out += SVG.text(x, plot.y1 + 16, integerX ? String(Int(tick)) : xScale.label(tick), anchor: "middle")
        }
        for tick in yScale.ticks(max(2, Int((plot.y1 - plot.y0) / 55))) {
            let y = yScale.pixel(tick)
            out += SVG.line(plot.x0, y, plot.x1, y, stroke: "#e3e3e3")
            out += SVG.text(plot.x0 - 6, y + 4, yScale.label(tick), anchor: "end")
        }
        out += "<rect x=\"\(SVG.number(plot.x0))\" y=\"\(SVG.number(plot.y0))\" width=\"\(SVG.number(plot.x1 - plot.x0))\" height=\"\(SVG.number(plot.y1 - plot.y0))\" fill=\"none\" stroke=\"#777777\"/>"
        out += SVG.text((plot.x0 + plot.x1) / 2, plot.y1 + 36, xLabel, anchor: "middle", size: 13)
        out += SVG.text(16, (plot.y0 + plot.y1) / 2, yLabel, anchor: "middle", size: 13, rotate: -90)
        if let reference {
            out += SVG.line(xScale.pixel(reference.0), yScale.pixel(reference.1), xScale.pixel(reference.2), yScale.pixel(reference.3),
                            stroke: "#888888", dash: "4 4")
        }
        for item in series {
            let pixels = item.points.map { (xScale.pixel($0.x), yScale.pixel($0.y)) }
            if item.line && pixels.count > 1 {
                var drawn = pixels
                if item.stepLine {
                    drawn = []
                    for (index, point) in pixels.enumerated() {
                        if index > 0 { drawn.append((point.0, pixels[index - 1].1)) }
                        drawn.append(point)
                    }
                }
                out += SVG.polyline(drawn, stroke: item.style.colour, width: 2, dash: item.style.dash)
            }
            let every = item.markEveryPoint ? 1 : max(1, Int(ceil(Double(pixels.count) / 12)))
            for (index, point) in pixels.enumerated() where index % every == 0 || (!item.markEveryPoint && index == pixels.count - 1) {
                let data = item.points[index]
                out += SVG.marker(item.style.marker, point.0, point.1, radius: item.markerRadius, fill: item.style.colour,
                                  tooltip: item.markEveryPoint ? "\(item.name): \(ReportNumber.metric(data.x)), \(ReportNumber.metric(data.y))" : nil)
            }
        }
        for annotation in annotations {
            let x = xScale.pixel(annotation.x), y = yScale.pixel(annotation.y)
            // Keep the label inside the plot: flip to the left of the point near the right edge.
            let flip = x > plot.x1 - 220
            let labelY = max(plot.y0 + 14, y - 12)
            out += SVG.star(x, y, radius: 9, fill: "#FFD400", tooltip: annotation.text)
            out += SVG.text(flip ? x - 12 : x + 12, labelY, annotation.text, anchor: flip ? "end" : "start", size: 12, weight: "600")
        }
        if series.count > 1 {
            let columnWidth = (plot.x1 - plot.x0) / Double(legendColumns)
            for (index, item) in series.enumerated() {
                let x = plot.x0 + Double(index % legendColumns) * columnWidth
                let y = plot.y1 + 54 + Double(index / legendColumns) * 18
                if item.line { out += SVG.line(x, y - 4, x + 28, y - 4, stroke: item.style.colour, width: 2, dash: item.style.dash) }
                out += SVG.marker(item.style.marker, x + 14, y - 4, radius: 3.5, fill: item.style.colour)
                out += SVG.text(x + 34, y, item.name)
            }
        }
        return out + "</svg>"
    }

    /// As many legend columns as the longest name allows (about 7 px per character).
    private var legendColumns: Int {
        let longest = Double(series.map(\.name.count).max() ?? 10) * 7 + 44
        return max(1, min(3, Int((width - 98) / longest)))
    }

    private func integerTicks(_ scale: ChartScale, wanted: Int) -> [Double] {
        guard integerX, !scale.logarithmic else { return scale.ticks(wanted) }
        let step = max(1, ChartScale.niceStep((scale.upper - scale.lower) / Double(wanted)))
        var value = ceil(scale.lower / step) * step
        var out: [Double] = []
        while value <= scale.upper + 1e-9 { out.append(value); value += step }
        return out
    }
}
