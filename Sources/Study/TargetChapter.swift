import Base
import Corpus
import Foundation
import Plot
import Report

/// Chapter 3: the class balance, as the notebook's seaborn count plot.
enum TargetChapter {
    static func run(_ ctx: StudyContext) throws -> ChapterOutput {
        let (_, clips) = try ClipRow.readAll(ctx)
        let labels = TESSCorpus.labels
        let counts = labels.map { l in clips.filter { $0.label == l }.count }
        let figure = Charts.countPlot(categories: labels, counts: counts, xLabel: "label", yLabel: "count")
        try figure.write(to: ctx.folder(.targets).appendingPathComponent("target_dist.png"))
        let total = max(counts.reduce(0, +), 1)
        let table = Markdown.table(["label", "meaning", "count", "share"],
                                   zip(labels, counts).map { [$0.0, TESSCorpus.displayName($0.0), String($0.1), Markdown.percent(Double($0.1) / Double(total))] },
                                   align: ["l", "l", "r", "r"])
        let balanced = Set(counts).count == 1
        return ChapterOutput(
            context: [
                "figure": "\(ChapterID.targets.rawValue)/target_dist.png",
                "table": table,
                "balanced": balanced,
                "per_class": counts.first ?? 0,
                "chance": Markdown.percent(1 / Double(labels.count)),
            ],
            summary: ["labels": labels, "counts": counts, "balanced": balanced])
    }
}
