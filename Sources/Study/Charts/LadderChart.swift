import Foundation
import Plot

/// The study's own charts live in Study, as an extension of Plot's `Charts` (not a second
/// `Charts` type: one in Study would shadow Plot's in every chapter, which also draw Plot's
/// general charts). Plot knows nothing of ladders, corpora or calibration.
extension Charts {
    // MARK: Leakage ladder

    /// One bar of a ladder figure: an accuracy with its 95 % interval, in a group (the recipe,
    /// which picks the colour).
    struct LadderBar: Sendable {
        var label: String
        var group: String
        var value: Double
        /// The interval's ends, nil when there is none (too few clusters).
        var interval: (lo: Double, hi: Double)?
        /// Drawn hatched-grey and marked: the run ended at the uniform prediction.
        var collapsed: Bool
        init(label: String, group: String, value: Double, interval: (lo: Double, hi: Double)?, collapsed: Bool = false) {
            self.label = label; self.group = group; self.value = value; self.interval = interval; self.collapsed = collapsed
        }
    }

    /// Horizontal bars top to bottom in `bars` order, with interval whiskers, a dotted chance
    /// line and dashed reference lines (e.g. a published figure), coloured by group.
    static func ladder(bars: [LadderBar], chance: Double, references: [(label: String, value: Double)] = [],
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
}
