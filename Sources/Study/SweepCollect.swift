import Base
import Foundation
import Plot
import Report

/// `study sweep collect`: the cells merged into one table per combination (everything but the
/// seed), `report/sweep.json` and a report (Markdown and HTML) in `SWEEP/report/`.
///
/// `sweep.json` (schema 1):
/// - `plan`: the code version, the executable's SHA-256, the training options, the corpora;
/// - `cells`: per cell of the plan, in plan order: `index`, `id`, its options (`corpus`,
///   `features`, `model`, `protocol`, `direction`, `recipe`, `seed`), `done`, and when done
///   `accuracy`, `uar`, `accuracy_ci`, `uar_ci` (cluster bootstrap, [lo, hi] or null),
///   `collapsed`, `n_test`, `predictions_sha256`;
/// - `combinations`: per combination, `seeds` done, `cells` planned, `accuracy_mean`,
///   `accuracy_sd`, `uar_mean`, `uar_sd` (sample sd; null below two seeds), `collapsed`;
/// - `missing`: the indices of the cells with no result (never averaged over).
public enum SweepCollect {
    public struct CellRow: Codable, Sendable, Equatable {
        public var index: Int
        public var id: String
        public var corpus: String
        public var features: String
        public var model: String
        public var protocolName: String
        public var direction: String?
        public var recipe: String
        public var seed: UInt64
        public var done: Bool
        public var accuracy: Double?
        public var uar: Double?
        public var accuracyCI: [Double]?
        public var uarCI: [Double]?
        public var collapsed: Bool?
        public var nTest: Int?
        public var predictionsSHA256: String?

        enum CodingKeys: String, CodingKey {
            case index, id, corpus, features, model, direction, recipe, seed, done, accuracy, uar, collapsed
            case protocolName = "protocol", accuracyCI = "accuracy_ci", uarCI = "uar_ci", nTest = "n_test", predictionsSHA256 = "predictions_sha256"
        }
    }

    public struct Combination: Codable, Sendable, Equatable {
        public var corpus: String
        public var features: String
        public var model: String
        public var protocolName: String
        public var direction: String?
        public var recipe: String
        public var cells: Int
        public var seeds: Int
        public var accuracyMean: Double?
        public var accuracySD: Double?
        public var uarMean: Double?
        public var uarSD: Double?
        public var collapsed: Int

        enum CodingKeys: String, CodingKey {
            case corpus, features, model, direction, recipe, cells, seeds, collapsed
            case protocolName = "protocol", accuracyMean = "accuracy_mean", accuracySD = "accuracy_sd", uarMean = "uar_mean", uarSD = "uar_sd"
        }
    }

    public struct PlanSummary: Codable, Sendable, Equatable {
        public var codeVersion: String
        public var executableSHA256: String
        public var training: SweepTraining
        public var corpora: [SweepCorpus]
        enum CodingKeys: String, CodingKey {
            case training, corpora
            case codeVersion = "code_version", executableSHA256 = "executable_sha256"
        }
    }

    public struct Collected: Codable, Sendable, Equatable {
        public var schema = 1
        public var plan: PlanSummary
        public var cells: [CellRow]
        public var combinations: [Combination]
        public var missing: [Int]
        /// Classes of each corpus (from its results; nil when no cell of it is done).
        public var classes: [Int?]
    }

    /// Reads every cell's result (a half-written one cannot exist: results are renamed into place).
    public static func collect(_ sweep: URL) throws -> Collected {
        let plan = try SweepPlan.read(sweep)
        let folder = SweepFolder(sweep)
        var rows: [CellRow] = []
        var missing: [Int] = []
        var classes = [Int?](repeating: nil, count: plan.corpora.count)
        for c in plan.cells {
            var row = CellRow(index: c.index, id: c.id, corpus: plan.corpora[c.corpus].name, features: c.features, model: c.model,
                              protocolName: c.protocolName.rawValue, direction: c.direction, recipe: c.recipe.rawValue, seed: c.seed, done: false)
            if let data = FileManager.default.contents(atPath: folder.result(c).path) {
                let r: CellResult
                do { r = try RecordStore.decoder().decode(CellResult.self, from: data) } catch {
                    throw StudyError.invalidOption("\(folder.result(c).path): unreadable result (\(error)); delete its folder and run the cell again")
                }
                guard r.cell == c else {
                    throw StudyError.invalidOption("\(folder.result(c).path): the result of another cell; delete its folder and run the cell again")
                }
                row.done = true
                classes[c.corpus] = r.labels.count
                row.accuracy = r.accuracy
                row.uar = r.uar
                row.accuracyCI = r.accuracyCI.bounds.map { [$0.lo, $0.hi] }
                row.uarCI = r.uarCI.bounds.map { [$0.lo, $0.hi] }
                row.collapsed = r.collapsed
                row.nTest = r.nTest
                row.predictionsSHA256 = r.predictionsSHA256
            } else {
                missing.append(c.index)
            }
            rows.append(row)
        }
        var order: [String] = []
        var groups: [String: [SweepCell]] = [:]
        for c in plan.cells {
            if groups[c.combination] == nil { order.append(c.combination) }
            groups[c.combination, default: []].append(c)
        }
        let combinations = order.map { key -> Combination in
            let cells = groups[key]!
            let done = cells.map { rows[$0.index] }.filter(\.done)
            let first = cells[0]
            func mean(_ xs: [Double]) -> Double? { xs.isEmpty ? nil : xs.reduce(0, +) / Double(xs.count) }
            func sd(_ xs: [Double]) -> Double? {
                guard xs.count >= 2, let m = mean(xs) else { return nil }
                return (xs.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(xs.count - 1)).squareRoot()
            }
            let acc = done.compactMap(\.accuracy), uar = done.compactMap(\.uar)
            return Combination(corpus: plan.corpora[first.corpus].name, features: first.features, model: first.model,
                               protocolName: first.protocolName.rawValue, direction: first.direction, recipe: first.recipe.rawValue,
                               cells: cells.count, seeds: done.count, accuracyMean: mean(acc), accuracySD: sd(acc),
                               uarMean: mean(uar), uarSD: sd(uar), collapsed: done.filter { $0.collapsed == true }.count)
        }
        return Collected(plan: PlanSummary(codeVersion: plan.codeVersion, executableSHA256: plan.executableSHA256,
                                           training: plan.training, corpora: plan.corpora),
                         cells: rows, combinations: combinations, missing: missing, classes: classes)
    }

    /// Writes `report/sweep.json`, `report/table.md`, `report/report.md` and `report/report.html`.
    @discardableResult
    public static func write(_ c: Collected, to sweep: URL) throws -> URL {
        let folder = SweepFolder(sweep).report
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try writeAtomically(try e.encode(c), to: folder.appendingPathComponent("sweep.json"))
        let table = self.table(c)
        try writeAtomically(table, to: folder.appendingPathComponent("table.md"))
        let done = c.cells.filter(\.done).count
        var md = """
        # Sweep: \(c.cells.count) cells, \(done) done

        Every row is one combination (corpus × feature set × model × protocol and direction × recipe) over the seeds it
        has; each cell's own 95 % cluster-bootstrap interval is in `sweep.json`. A collapsed run ended at the
        uniform prediction.

        """
        if !c.missing.isEmpty {
            md += "\n**\(c.missing.count) cell(s) have no result** (\(c.missing.prefix(40).map(String.init).joined(separator: ", "))"
                + (c.missing.count > 40 ? ", …" : "") + "): their combinations show the seeds that are done, and nothing is averaged "
                + "over cells that are missing. `study sweep status` and `study sweep resume` say and run what is missing.\n"
        }
        // One figure per protocol: each combination's mean accuracy over its seeds, ± one sd.
        var figures = ""
        for p in c.combinations.map(\.protocolName).reduce(into: [String](), { if !$0.contains($1) { $0.append($1) } }) {
            let bars = c.combinations.filter { $0.protocolName == p }.compactMap { k -> Charts.LadderBar? in
                guard let m = k.accuracyMean else { return nil }
                let label = [c.plan.corpora.count > 1 ? k.corpus : nil, k.direction, "\(k.features) × \(k.model)"].compactMap { $0 }.joined(separator: " · ")
                return Charts.LadderBar(label: label, group: k.recipe, value: m,
                                        interval: k.accuracySD.map { (max(0, m - $0), min(1, m + $0)) },
                                        collapsed: k.collapsed > 0 && k.collapsed == k.seeds)
            }
            guard !bars.isEmpty else { continue }
            let name = "accuracy_\(SafeFileName.part(p)).png"
            // Chance: 1 / classes of the corpus (with several corpora, of the first that has results).
            let chance = c.classes.compactMap { $0 }.first.map { 1 / Double($0) } ?? 0
            let figure = Charts.ladder(bars: bars, chance: chance, title: "Sweep: \(p) (mean over seeds)",
                                       xLabel: "test accuracy (mean ± 1 sd over the seeds done)")
            try writeAtomically(figure.pngData(), to: folder.appendingPathComponent(name))
            figures += "\n![\(Escape.markdown(p)): mean test accuracy over seeds per combination](\(name))\n"
        }
        md += "\n" + table + "\n" + figures + "\nCorpora: " + c.plan.corpora.map { "\(Escape.markdown($0.name)) (\($0.clips) clips, fingerprint \(Markdown.code($0.fingerprint)))" }
            .joined(separator: "; ") + ". Training: " + Escape.markdown(c.plan.training.key.replacingOccurrences(of: "|", with: ", ").replacingOccurrences(of: "=", with: " ")) + ".\n"
        try writeAtomically(md, to: folder.appendingPathComponent("report.md"))
        let html = HTMLReport(title: "Sweep", baseDirectory: folder).render(markdown: md)
        let url = folder.appendingPathComponent("report.html")
        try writeAtomically(html, to: url)
        return url
    }

    /// The combinations as a Markdown table (names from data escaped).
    public static func table(_ c: Collected) -> String {
        func f(_ x: Double?) -> String { x.map { Markdown.fixed($0, 4) } ?? "n/a" }
        let rows = c.combinations.map { k -> [String] in
            [k.corpus, k.features, k.model, k.protocolName, k.direction ?? "", k.recipe, "\(k.seeds)/\(k.cells)",
             f(k.accuracyMean), f(k.accuracySD), f(k.uarMean), f(k.uarSD), String(k.collapsed)]
        }
        return Markdown.table(["corpus", "features", "model", "protocol", "direction", "recipe", "seeds done", "accuracy", "sd",
                               "UAR", "sd", "collapsed"], rows, align: ["l", "l", "l", "l", "l", "l", "r", "r", "r", "r", "r", "r"])
    }
}
