import Base
import Foundation
import NeuralNet
import Plot
import Report

/// Chapter 7: what the notebook's single random split hides. The 80/20 split mixes both
/// speakers and all 200 words, so every test clip has near-twins in training; a speaker-
/// independent split (train on one actress, test on the other) asks the real question.
/// Repeating the recipe over seeds shows how often it collapses to the uniform prediction.
enum BeyondChapter {
    static func run(_ ctx: StudyContext) throws -> ChapterOutput {
        let o = ctx.options
        let folder = ctx.folder(.beyond)
        let data = try LabelledData.load(ctx)
        var context: [String: Any] = [:]
        var summary: [String: Any] = [:]

        // Speaker-independent evaluation, both directions.
        let speakers = Array(Set(data.speakers)).sorted()
        var siRows: [[String]] = []
        var siSummary: [String: Any] = [:]
        var siFigures: [[String: Any]] = []
        if o.speakerIndependent && speakers.count == 2 {
            for (a, b) in [(speakers[0], speakers[1]), (speakers[1], speakers[0])] {
                let trainPool = data.speakers.indices.filter { data.speakers[$0] == a }
                let test = data.speakers.indices.filter { data.speakers[$0] == b }
                // Early stopping watches 10 % of the training speaker's clips, never the test speaker.
                let inner = Split.shuffled(count: trainPool.count, testSize: 0.1, seed: o.seed)
                guard inner.train.count >= 2, !inner.test.isEmpty, !test.isEmpty else {
                    siRows.append(["\(a) → \(b)", String(inner.train.count), String(test.count), "", "", "", "too few clips"])
                    continue
                }
                let run = try TrainingRun.train(data: data, train: inner.train.map { trainPool[$0] },
                                                validation: inner.test.map { trainPool[$0] }, options: o, seed: o.seed,
                                                label: "\(a)→\(b)", progress: ctx.progress)
                let m = evaluate(run, data: data, rows: test)
                let name = "confusion_\(a)_to_\(b).png"
                try Charts.confusionMatrix(counts: m.confusion, labels: data.labels,
                                           title: "Train \(a), test \(b) — accuracy \(Markdown.fixed(m.accuracy, 3)), UAR \(Markdown.fixed(m.uar, 3))")
                    .write(to: folder.appendingPathComponent(name))
                siFigures.append(["direction": "\(a) → \(b)", "figure": "\(ChapterID.beyond.rawValue)/\(name)"])
                siRows.append(["\(a) → \(b)", String(inner.train.count), String(test.count), String(run.history.rows.count),
                               Markdown.fixed(m.accuracy, 4), Markdown.fixed(m.uar, 4), run.collapsed ? "collapsed" : ""])
                siSummary["\(a)→\(b)"] = ["accuracy": m.accuracy, "uar": m.uar, "collapsed": run.collapsed, "n_train": inner.train.count, "n_test": test.count]
            }
            context["si_table"] = Markdown.table(["train → test", "train clips", "test clips", "epochs", "accuracy", "UAR", ""], siRows,
                                                 align: ["l", "r", "r", "r", "r", "r", "l"])
            context["si_figures"] = siFigures
            context["has_si"] = true
        } else {
            context["has_si"] = false
            context["si_reason"] = speakers.count == 2 ? "switched off" : "the corpus has \(speakers.count) speaker(s), not 2"
        }
        summary["speaker_independent"] = siSummary

        // The notebook's recipe over several seeds: its split and its initialisation both change.
        var repeatRows: [[String]] = []
        var accuracies: [Double] = []
        var collapsed = 0
        var runs: [[String: Any]] = []
        if o.repeats > 0 {
            for r in 1...o.repeats {
                let seed = o.seed + UInt64(r)
                let split = Split.shuffled(count: data.count, testSize: 0.2, seed: seed)
                let run = try TrainingRun.train(data: data, train: split.train, validation: split.test, options: o, seed: seed,
                                                label: "repeat \(r)/\(o.repeats) (seed \(seed))", progress: ctx.progress)
                let m = evaluate(run, data: data, rows: split.test)
                accuracies.append(m.accuracy)
                if run.collapsed { collapsed += 1 }
                repeatRows.append([String(seed), String(run.history.rows.count), String(run.history.bestEpoch),
                                   Markdown.fixed(m.accuracy, 4), Markdown.fixed(m.uar, 4), run.collapsed ? "collapsed" : ""])
                runs.append(["seed": seed, "accuracy": m.accuracy, "uar": m.uar, "epochs": run.history.rows.count, "collapsed": run.collapsed])
            }
            let mean = accuracies.reduce(0, +) / Double(accuracies.count)
            let sd = accuracies.count > 1
                ? (accuracies.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(accuracies.count - 1)).squareRoot() : 0
            context["repeat_table"] = Markdown.table(["seed", "epochs", "best epoch", "test accuracy", "UAR", ""], repeatRows,
                                                     align: ["r", "r", "r", "r", "r", "l"])
            context["repeat_mean"] = Markdown.fixed(mean, 4)
            context["repeat_sd"] = Markdown.fixed(sd, 4)
            context["repeat_min"] = Markdown.fixed(accuracies.min()!, 4)
            context["repeat_max"] = Markdown.fixed(accuracies.max()!, 4)
            summary["repeats"] = ["n": o.repeats, "mean": mean, "sd": sd, "min": accuracies.min()!, "max": accuracies.max()!,
                                  "collapsed": collapsed, "runs": runs]
        } else {
            summary["repeats"] = ["n": 0]
        }
        context["has_repeats"] = o.repeats > 0
        context["repeats"] = o.repeats
        context["n_collapsed"] = collapsed
        context["standardize"] = o.standardize
        return ChapterOutput(context: context, summary: summary)
    }

    static func evaluate(_ run: TrainingRun, data: LabelledData, rows: [Int]) -> Metrics {
        let (x, y) = data.rows(rows, standardizer: run.standardizer)
        return Metrics(labels: data.labels, truth: y, predicted: run.model.predictClasses(x, count: y.count))
    }
}
