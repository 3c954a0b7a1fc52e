import Base
import Foundation
import Plot
import Report

/// Chapter 7's "what survives" view: every feature set × model (and recipe) on every rung of
/// the ladder at the run's seed, so that a reader sees which representation keeps its accuracy
/// when the words, then the voice, are taken away. Rows are combinations, columns rungs; a rung
/// of a speaker protocol with more than two speakers is its folds pooled.
struct Survival {
    /// A column: a protocol, with its direction (two speakers) or pooled over its folds.
    struct Rung: Equatable {
        var protocolName: LadderProtocol
        var direction: String?
        var label: String { [protocolName.rawValue, direction].compactMap { $0 }.joined(separator: " ") }
    }

    /// A row: a feature set, a model and the recipe their inputs were made with.
    struct Combination: Equatable {
        var features: String
        var model: String
        var recipe: LadderRecipe
        var label: String { "\(features) × \(model) · \(recipe.rawValue)" }
    }

    struct Cell {
        var accuracy: Double
        var interval: Statistics.Interval
        /// Collapsed to one class (runs), or how many folds did (pooled).
        var collapsed: Bool
        var note: String?
    }

    var rungs: [Rung] = []
    var combinations: [Combination] = []
    /// cells[combination][rung]; nil where the combination did not run on the rung.
    var cells: [[Cell?]] = []

    init(runs: [BeyondChapter.Run], pooled: [BeyondChapter.Pooled]) {
        var entries: [(Rung, Combination, Cell)] = []
        let pooledProtocols = Set(pooled.map(\.protocolName))
        for r in runs {
            if r.direction != nil, pooledProtocols.contains(r.protocolName) { continue }
            let collapsed = r.collapsed && r.protocolName != .labelShuffle
            entries.append((Rung(protocolName: r.protocolName, direction: r.direction),
                            Combination(features: r.features, model: r.model, recipe: r.recipe),
                            Cell(accuracy: r.accuracy, interval: r.accuracyCI, collapsed: collapsed, note: nil)))
        }
        for q in pooled {
            entries.append((Rung(protocolName: q.protocolName, direction: "\(q.folds) folds pooled"),
                            Combination(features: q.features, model: q.model, recipe: q.recipe),
                            Cell(accuracy: q.accuracy, interval: q.accuracyCI, collapsed: q.collapsedFolds > 0,
                                 note: q.collapsedFolds > 0 ? "\(q.collapsedFolds) of \(q.folds) folds collapsed" : nil)))
        }
        // Rungs in ladder order (protocol order, then as they came); combinations as they came.
        for e in entries where !rungs.contains(e.0) { rungs.append(e.0) }
        rungs.sort { LadderProtocol.allCases.firstIndex(of: $0.protocolName)! < LadderProtocol.allCases.firstIndex(of: $1.protocolName)! }
        for e in entries where !combinations.contains(e.1) { combinations.append(e.1) }
        cells = combinations.map { c in rungs.map { g in entries.first { $0.0 == g && $0.1 == c }?.2 } }
    }

    /// The table: one row per combination, one column per rung, "0.720 [0.703, 0.736]" in each
    /// cell, collapsed runs marked, "—" where it did not run.
    func table(clusterNoun: String) -> String {
        let rows = combinations.indices.map { i -> [String] in
            [combinations[i].label] + rungs.indices.map { j -> String in
                guard let c = cells[i][j] else { return "—" }
                let cluster = rungs[j].direction?.hasSuffix("pooled") == true ? "speaker" : clusterNoun
                // "too few clusters for an interval (4 words)" in every cell of a small corpus
                // would drown the numbers: the short form, which the note under the table explains.
                let interval = c.interval.bounds == nil ? "(no CI)" : c.interval.text(point: c.accuracy, cluster: cluster)
                let text = "\(Markdown.fixed(c.accuracy, 3)) \(interval)"
                // A whole cell in bold is the one markup a table cell keeps.
                return c.collapsed ? "**\(text) \(c.note ?? "collapsed")**" : text
            }
        }
        return Markdown.table(["features × model · recipe"] + rungs.map(\.label), rows,
                              align: ["l"] + Array(repeating: "l", count: rungs.count))
    }
}

/// The study's own charts, drawn with Plot's general primitives.
enum StudyCharts {
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
