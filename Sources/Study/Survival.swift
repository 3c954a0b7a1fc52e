import Base
import Foundation
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
