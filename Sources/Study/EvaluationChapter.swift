import Base
import Audio
import Foundation
import NeuralNet
import Plot
import Report

/// Chapter 6: reload the best checkpoint and evaluate it on the held-out 20 %, as the notebook
/// did — and add what the notebook did not show: per-class metrics, UAR, the confusion
/// matrix and the clips it got wrong.
enum EvaluationChapter {
    /// The notebook's published numbers (its last logged epoch and its `model.evaluate`).
    static let notebookValAccuracy = 0.9929
    static let notebookValLoss = 0.0212
    static let notebookEvaluateAccuracy = 0.9982

    static func run(_ ctx: StudyContext) throws -> ChapterOutput {
        let folder = ctx.folder(.evaluation)
        let data = try LabelledData.load(ctx)
        let modelURL = ctx.folder(.training).appendingPathComponent("model.safetensors")
        let loaded = try ModelFile.load(from: modelURL)
        let splitURL = ctx.folder(.training).appendingPathComponent("split.csv")
        let (_, splitRows) = try CSV.read(splitURL)
        let testPaths = Set(splitRows.filter { $0[1] == "test" }.map { $0[0] })
        let test = data.paths.indices.filter { testPaths.contains(data.paths[$0]) }
        guard !test.isEmpty else { throw StudyError.corruptOutput(path: splitURL.path, reason: "no test rows") }

        let (x, y) = data.rows(test, standardizer: loaded.standardizer)
        let classes = data.labels.count
        let probs = loaded.model.predictProbabilities(x, count: y.count)
        let predicted = y.indices.map { argmax(probs, row: $0, classes: classes) }
        let m = Metrics(labels: data.labels, truth: y, predicted: predicted)
        // Keras's model.evaluate loss: cross-entropy from the logits, as in training.
        let loss = Double(NeuralNet.evaluate(loaded.model, x: x, y: y, features: data.features).loss)

        try writeAtomically(CSV.encode(header: ["true\\predicted"] + data.labels,
                                       rows: data.labels.indices.map { [data.labels[$0]] + m.confusion[$0].map(String.init) }),
                            to: folder.appendingPathComponent("confusion_matrix.csv"))
        let title = "Confusion matrix — accuracy \(Markdown.fixed(m.accuracy, 4)), UAR \(Markdown.fixed(m.uar, 4))"
        try Charts.confusionMatrix(counts: m.confusion, labels: data.labels, title: title)
            .write(to: folder.appendingPathComponent("confusion_matrix.png"))

        // Predictions of every test clip, for anyone who wants to look further.
        try writeAtomically(CSV.encode(header: ["path", "true", "predicted"] + data.labels.map { "p_\($0)" },
                                       rows: test.indices.map { i in
                                           [data.paths[test[i]], data.labels[y[i]], data.labels[predicted[i]]]
                                               + (0..<classes).map { String(probs[i * classes + $0]) }
                                       }),
                            to: folder.appendingPathComponent("predictions.csv"))

        var perClass = m.labels.indices.map { k in
            [m.labels[k], Markdown.fixed(m.precision(k), 4), Markdown.fixed(m.recall(k), 4), Markdown.fixed(m.f1(k), 4), String(m.support(k))]
        }
        perClass.append(["macro avg", Markdown.fixed(m.macroPrecision, 4), Markdown.fixed(m.macroRecall, 4), Markdown.fixed(m.macroF1, 4), String(m.total)])
        perClass.append(["weighted avg", Markdown.fixed(m.weighted(m.precision), 4), Markdown.fixed(m.weighted(m.recall), 4),
                         Markdown.fixed(m.weighted(m.f1), 4), String(m.total)])
        let perClassTable = Markdown.table(["class", "precision", "recall", "f1-score", "support"], perClass,
                                           align: ["l", "r", "r", "r", "r"])

        // The clips it got wrong, playable.
        let root = URL(fileURLWithPath: try ctx.summaryValue(.load, "root", as: String.self))
        var wrong: [[String]] = []
        let audioDir = folder.appendingPathComponent("errors")
        for i in y.indices where predicted[i] != y[i] {
            let path = data.paths[test[i]]
            var player = ""
            if wrong.count < 24, let signal = try? AudioFile.readMono(root.appendingPathComponent(path)) {
                let name = "\(wrong.count + 1).wav"
                try AudioFile.writeWAV16(signal.samples, sampleRate: signal.sampleRate, to: audioDir.appendingPathComponent(name))
                player = Markdown.audio("\(ChapterID.evaluation.rawValue)/errors/\(name)", label: path)
            }
            wrong.append([Markdown.code(path), data.labels[y[i]], data.labels[predicted[i]], Markdown.fixed(Double(probs[i * classes + predicted[i]]), 3), player])
        }
        let wrongTable = wrong.isEmpty ? "" : Markdown.table(["clip", "true", "predicted", "confidence", "listen"], wrong)

        let comparison = Markdown.table(
            ["", "notebook (Keras, real TESS)", "this run"],
            [["test accuracy", "\(notebookValAccuracy) (last epoch) / \(notebookEvaluateAccuracy) (evaluate)", Markdown.fixed(m.accuracy, 4)],
             ["test loss", String(notebookValLoss), Markdown.fixed(loss, 4)],
             ["test clips", "560", String(m.total)]])
        let perClassSummary = Dictionary(uniqueKeysWithValues: m.labels.indices.map { k in
            (m.labels[k], ["precision": m.precision(k), "recall": m.recall(k), "f1": m.f1(k), "support": m.support(k)] as [String: Any])
        })
        return ChapterOutput(
            context: [
                "test_loss": Markdown.fixed(loss, 4), "test_accuracy": Markdown.fixed(m.accuracy, 4),
                "uar": Markdown.fixed(m.uar, 4), "macro_f1": Markdown.fixed(m.macroF1, 4),
                "n_test": m.total, "n_wrong": m.total - m.correct,
                "per_class_table": perClassTable,
                "confusion_figure": "\(ChapterID.evaluation.rawValue)/confusion_matrix.png",
                "wrong_table": wrongTable, "has_wrong": !wrong.isEmpty,
                "comparison_table": comparison,
                "synthetic": (try? ctx.summaryValue(.load, "kind", as: String.self)) == "synthetic",
            ],
            summary: [
                "test_loss": loss, "test_accuracy": m.accuracy, "uar": m.uar, "macro_f1": m.macroF1,
                "per_class": perClassSummary, "confusion_matrix": m.confusion, "labels": m.labels,
            ])
    }
}
