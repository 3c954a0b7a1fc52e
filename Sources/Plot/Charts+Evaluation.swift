import Foundation

extension Charts {
    // MARK: Leakage ladder

    /// One bar of a ladder figure: an accuracy with its 95 % interval, in a group (the recipe,
    /// which picks the colour).
    public struct LadderBar: Sendable {
        public var label: String
        public var group: String
        public var value: Double
        /// The interval's ends, nil when there is none (too few clusters).
        public var interval: (lo: Double, hi: Double)?
        /// Drawn hatched-grey and marked: the run ended at the uniform prediction.
        public var collapsed: Bool
        public init(label: String, group: String, value: Double, interval: (lo: Double, hi: Double)?, collapsed: Bool = false) {
            self.label = label; self.group = group; self.value = value; self.interval = interval; self.collapsed = collapsed
        }
    }

    /// Horizontal bars top to bottom in `bars` order, with interval whiskers, a dotted chance
    /// line and dashed reference lines (e.g. a published figure), coloured by group.
    public static func ladder(bars: [LadderBar], chance: Double, references: [(label: String, value: Double)] = [],
                              title: String, xLabel: String = "test accuracy (95 % word-cluster bootstrap interval)",
                              width: Int = 900, height: Int? = nil) -> Figure {
        // Room below the last bar for the legend (groups + chance + references), so that it
        // never covers a bar or its label.
        let legendRows = Double(Set(bars.map(\.group)).count + 1 + references.count) * 0.55
        let fig = Figure(width: width, height: height ?? max(260, 90 + Int(34 * (Double(bars.count) + legendRows))))
        let ax = fig.addAxes()
        let groups = bars.reduce(into: [String]()) { if !$0.contains($1.group) { $0.append($1.group) } }
        let colors = Dictionary(uniqueKeysWithValues: groups.enumerated().map { ($0.element, Palette.deep[$0.offset % Palette.deep.count]) })
        // One legend entry per group in its own colour (an empty rectangle carries it), whatever
        // colour its first bar is drawn in.
        for g in groups { ax.rectangle(DataRect(x0: 0, x1: 0, y0: -0.6, y1: -0.6), fill: colors[g]!, label: g) }
        for (i, b) in bars.enumerated() {
            let y = Double(i)
            let color = b.collapsed ? Color(gray: 0.75) : colors[b.group]!
            ax.rectangle(DataRect(x0: 0, x1: max(0, b.value), y0: y - 0.35, y1: y + 0.35), fill: color)
            if let ci = b.interval {
                ax.line(x: [ci.lo, ci.hi], y: [y, y], color: Color(gray: 0.1), width: 1.5)
                for x in [ci.lo, ci.hi] { ax.line(x: [x, x], y: [y - 0.15, y + 0.15], color: Color(gray: 0.1), width: 1.5) }
            }
            // The value beside the bar's end (past its whisker), or inside the bar, in white, when
            // there is no room on the right.
            let text = String(format: "%.3f", b.value) + (b.collapsed ? " collapsed" : "")
            let right = max(b.interval?.hi ?? b.value, b.value) + 0.012
            if right < 0.88 {
                ax.text(text, x: right, y: y, size: 8.5, horizontal: .left, vertical: .center)
            } else {
                ax.text(text, x: min(b.interval?.lo ?? b.value, b.value) - 0.012, y: y, size: 8.5, weight: .bold, color: .white,
                        horizontal: .right, vertical: .center)
            }
        }
        ax.verticalLine(x: chance, color: Color(gray: 0.35), width: 1.2, dash: .dotted, label: String(format: "chance (%.3f)", chance))
        for r in references {
            ax.verticalLine(x: r.value, color: Color(r: 0.75, g: 0.2, b: 0.2), width: 1.2, dash: .dashed, label: r.label)
        }
        ax.xLimits = (0, 1)
        ax.yLimits = (-0.6, Double(bars.count) - 0.4 + legendRows)
        ax.yInverted = true
        ax.yTicks = .fixed(bars.indices.map(Double.init), labels: bars.map(\.label))
        ax.xLabel = xLabel
        ax.title = title
        ax.legendFontSize = 8.5
        ax.legend(location: .lowerRight)
        return fig
    }

    // MARK: Reliability diagram

    /// Accuracy against top-label confidence per bin (bars at the bins, width of the bin), the
    /// diagonal of perfect calibration, and the ECE in the title. `bins` are (lo, hi, count,
    /// accuracy, confidence); empty bins draw nothing.
    public static func reliabilityDiagram(bins: [(lo: Double, hi: Double, count: Int, accuracy: Double, confidence: Double)],
                                          ece: Double, title: String, width: Int = 520, height: Int = 480) -> Figure {
        let fig = Figure(width: width, height: height)
        let ax = fig.addAxes()
        let full = bins.filter { $0.count > 0 }
        ax.bar(x: full.map { ($0.lo + $0.hi) / 2 }, heights: full.map(\.accuracy), width: (bins.first.map { $0.hi - $0.lo } ?? 0.1),
               colors: [Palette.deep[0]], edgeColor: Color(gray: 0.2), label: "accuracy in the bin")
        ax.scatter(x: full.map(\.confidence), y: full.map(\.accuracy), color: Palette.deep[3], size: 5, label: "mean confidence in the bin")
        ax.line(x: [0, 1], y: [0, 1], color: Color(gray: 0.35), width: 1.2, dash: .dashed, label: "perfect calibration")
        // A band above 1 for the legend, so that it never covers a bar.
        ax.xLimits = (0, 1)
        ax.yLimits = (0, 1.32)
        ax.yTicks = .fixed([0, 0.2, 0.4, 0.6, 0.8, 1.0], labels: ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
        ax.xLabel = "top-label confidence"
        ax.yLabel = "accuracy"
        ax.title = title + String(format: " — ECE %.3f", ece)
        ax.legendFontSize = 8.5
        ax.legend(location: .upperLeft)
        return fig
    }
}

extension Charts {
    // MARK: Cross-corpus matrix

    /// Accuracy of a model trained on row `r`'s corpus and tested on column `c`'s, with the
    /// diagonal (held out within the corpus) outlined. Every cell shows its value and, below it,
    /// `notes[r][c]` (e.g. the number of shared labels); an empty cell (nil) says why in its note.
    /// Colours run from 0 to 1, so that two matrices can be compared by eye.
    public static func crossCorpusMatrix(values: [[Double?]], names: [String], notes: [[String]], title: String,
                                         colorbarLabel: String = "test accuracy", colormap: Colormap = .viridis,
                                         width: Int? = nil, height: Int? = nil) -> Figure {
        let n = names.count
        precondition(n > 0 && values.count == n && values.allSatisfy { $0.count == n } && notes.count == n && notes.allSatisfy { $0.count == n },
                     "Charts.crossCorpusMatrix: values and notes must be \(n)×\(n) for \(n) corpora")
        let side = 150 * n
        let fig = Figure(width: width ?? max(640, side + 280), height: height ?? max(460, side + 170))
        let ax = fig.addAxes()
        // Missing cells are drawn at the bottom of the scale and say why in their note.
        let flat = values.flatMap { $0.map { Float($0 ?? .nan) } }
        ax.image(flat.map { $0.isNaN ? 0 : $0 }, rows: n, cols: n, extent: DataRect(x0: 0, x1: Double(n), y0: 0, y1: Double(n)),
                 colormap: colormap, vmin: 0, vmax: 1, origin: .lower, interpolation: .nearest)
        ax.yInverted = true
        ax.colorbar(label: colorbarLabel)
        let centres = (0..<n).map { Double($0) + 0.5 }
        ax.xTicks = .fixed(centres, labels: names)
        ax.yTicks = .fixed(centres, labels: names)
        ax.xLabel = "tested on"
        ax.yLabel = "trained on"
        ax.title = title
        for r in 0..<n {
            for c in 0..<n {
                let v = values[r][c]
                let cell = v.map { colormap.color(at: $0) } ?? Color(gray: 0.9)
                if v == nil {
                    ax.rectangle(DataRect(x0: Double(c), x1: Double(c + 1), y0: Double(r), y1: Double(r + 1)), fill: Color(gray: 0.9))
                }
                let ink = cell.relativeLuminance > 0.408 ? Color(gray: 0.15) : .white
                let text = (v.map { String(format: "%.3f", $0) } ?? "—") + (notes[r][c].isEmpty ? "" : "\n" + notes[r][c])
                ax.text(text, x: Double(c) + 0.5, y: Double(r) + 0.5, size: 9, color: ink, horizontal: .center, vertical: .center)
            }
            // The diagonal (held out within the corpus): a dashed frame inside the cell.
            let a = Double(r) + 0.04, b = Double(r) + 0.96
            ax.line(x: [a, b, b, a, a], y: [a, a, b, b, a], color: Color(gray: 0.6), width: 2, dash: .dashed)
        }
        return fig
    }
}
