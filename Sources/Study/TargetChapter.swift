import Corpus
import Foundation
import Plot
import Report

extension ChapterID {
    public static let targets: ChapterID = "03-target-distribution"
}

/// Chapter 3: the class balance, as the notebook's seaborn count plot.
public enum TargetChapter: Chapter {
    public static let id = ChapterID.targets
    public static let title = "Target distribution"
    public static let purpose = "the class balance as a count plot"
    public static var upstream: [any Chapter.Type] { [LoadChapter.self] }

    public struct Output: Codable, Sendable {
        public var labels: [CorpusLabel]
        /// Clips per label, in `labels` order.
        public var counts: [Int]
        public var figure: String
        public var balanced: Bool { Set(counts).count == 1 }
    }

    public static func run(_ ctx: ChapterContext) throws -> Output {
        let corpus = try ctx.output(of: LoadChapter.self).corpus
        let counts = corpus.countsByLabel.map(\.count)
        let figure = try ctx.write(Charts.countPlot(categories: corpus.figureLabels, counts: counts, xLabel: "label", yLabel: "count"),
                                   to: "target_dist.png")
        return Output(labels: corpus.labels, counts: counts, figure: figure)
    }

    public struct Section {
        var figure: String
        var table: String
        var balanced: Bool
        var perClass: Int
        var chance: String
    }

    public static func section(_ output: Output, _ report: ReportContext) -> Section {
        let total = max(output.counts.reduce(0, +), 1)
        let table = Markdown.table(["label", "meaning", "count", "share"],
                                   zip(output.labels, output.counts).map {
                                       [$0.0.code, $0.0.displayName, String($0.1), Markdown.percent(Double($0.1) / Double(total))]
                                   }, align: ["l", "l", "r", "r"])
        return Section(figure: output.figure, table: table, balanced: output.balanced, perClass: output.counts.first ?? 0,
                       chance: Markdown.percent(1 / Double(max(output.labels.count, 1))))
    }
}
