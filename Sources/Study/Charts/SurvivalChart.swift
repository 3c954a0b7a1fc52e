import Foundation
import Plot

extension Charts {
    // MARK: What survives (chapter 7)

    /// `what_survives.png`: one panel per rung, a horizontal bar per combination with its 95 %
    /// interval as a whisker, the chance level as a dotted line; collapsed runs grey.
    static func whatSurvives(_ s: Survival, chance: Double, clusterNoun: String, seed: UInt64) -> Figure {
        let columns = min(3, max(1, s.rungs.count))
        let gridRows = (s.rungs.count + columns - 1) / columns
        let perPanel = 70 + 34 * s.combinations.count
        let fig = Figure(width: 420 * columns + 260, height: 70 + perPanel * gridRows)
        fig.title = "What survives each removal of leakage: accuracy by feature set × model (seed \(seed))"
        // The grid layout measures the first column's tick labels a few pixels short of what
        // DejaVu draws for "×" and "·": a wider margin keeps their first letter in the figure.
        fig.padding = 24
        let axes = fig.subplots(rows: gridRows, columns: columns)
        let colors = Dictionary(uniqueKeysWithValues: s.combinations.enumerated().map { ($0.element.label, Palette.deep[$0.offset % Palette.deep.count]) })
        for (j, ax) in axes.enumerated() {
            guard j < s.rungs.count else {
                ax.axisOff = true
                continue
            }
            for (i, c) in s.combinations.enumerated() {
                guard let cell = s.cells[i][j] else { continue }
                let y = Double(i)
                let color = cell.collapsed ? Color(gray: 0.75) : colors[c.label]!
                ax.rectangle(DataRect(x0: 0, x1: max(0, cell.accuracy), y0: y - 0.35, y1: y + 0.35), fill: color)
                if let ci = cell.interval.bounds {
                    ax.line(x: [ci.lo, ci.hi], y: [y, y], color: Color(gray: 0.1), width: 1.3)
                    for x in [ci.lo, ci.hi] { ax.line(x: [x, x], y: [y - 0.15, y + 0.15], color: Color(gray: 0.1), width: 1.3) }
                }
                let text = String(format: "%.3f", cell.accuracy) + (cell.collapsed ? " collapsed" : "")
                let right = max(cell.interval.bounds?.hi ?? cell.accuracy, cell.accuracy) + 0.015
                if right < 0.8 {
                    ax.text(text, x: right, y: y, size: 8, horizontal: .left, vertical: .center)
                } else {
                    ax.text(text, x: min(cell.interval.bounds?.lo ?? cell.accuracy, cell.accuracy) - 0.015, y: y, size: 8, weight: .bold,
                            color: .white, horizontal: .right, vertical: .center)
                }
            }
            ax.verticalLine(x: chance, color: Color(gray: 0.35), width: 1.1, dash: .dotted)
            ax.xLimits = (0, 1)
            ax.yLimits = (-0.6, Double(s.combinations.count) - 0.4)
            ax.yInverted = true
            ax.yTicks = .fixed(s.combinations.indices.map(Double.init),
                               labels: j % columns == 0 ? s.combinations.map(\.label) : s.combinations.map { _ in "" })
            ax.title = s.rungs[j].label
            if j / columns == gridRows - 1 || j + columns >= s.rungs.count {
                ax.xLabel = "accuracy (95 % CI); dotted: chance \(String(format: "%.3f", chance))"
            }
        }
        return fig
    }
}
