import Audio
import Base
import Foundation
import NeuralNet
import Plot
import Report

extension ChapterID {
    public static let evaluation: ChapterID = "06-evaluation"
}

/// Chapter 6: reload the best checkpoint and evaluate it on the held-out 20 %, as the notebook
/// did — and add what the notebook did not show: per-class metrics, UAR, the confusion
/// matrix and the clips it got wrong.
public enum EvaluationChapter: Chapter {
    public static let id = ChapterID.evaluation
    public static let title = "Evaluation"
    public static let purpose = "test loss/accuracy, per-class metrics, confusion matrix, errors"
    public static var upstream: [any Chapter.Type] { [LoadChapter.self, FeaturesChapter.self, TrainingChapter.self] }
    public static func keyComponents(_ o: StudyOptions) -> [String] { o.trainingKey }

    /// The notebook's published numbers (its last logged epoch and its `model.evaluate`).
    static let notebookValAccuracy = 0.9929
    static let notebookValLoss = 0.0212
    static let notebookEvaluateAccuracy = 0.9982

    /// A test clip the model got wrong.
    public struct Error: Codable, Sendable {
        public var path: String
        public var truth: String
        public var predicted: String
        public var confidence: Float
        /// A playable copy (only for the first 24), relative to the output folder.
        public var audio: String?
    }

    public struct Output: Codable, Sendable {
        public var labels: [String]
        /// confusion[true][predicted] over the test clips.
        public var confusion: [[Int]]
        public var loss: Double
        public var errors: [Error]
        public var confusionFigure: String
        public var synthetic: Bool
        /// 95 % word-cluster bootstrap intervals (1000 resamples, seeded with the run's seed).
        public var accuracyCI: Statistics.Interval
        public var uarCI: Statistics.Interval
        /// Expected calibration error of the top-label confidence, 15 equal-width bins.
        public var ece: Double
        public var calibrationBins: [Statistics.Bin]
        public var reliabilityFigure: String
        /// The model's class probabilities, row-major (test clip × class): the test clips in
        /// chapter 4's row order, the classes in `labels` order. Kept for the reproducibility
        /// digest (predictions.csv has them as text for people).
        public var probabilities: [Float]
        var metrics: Metrics { Metrics(labels: labels, confusion: confusion) }
    }

    /// The predictions digest starts with these (then chapter 7's, then chapter 8's).
    public static func digestFloats(_ output: Output) -> (part: DigestPart, values: [Float])? {
        (.predictions, output.probabilities)
    }

    public static func run(_ ctx: ChapterContext) throws -> Output {
        let load = try ctx.output(of: LoadChapter.self)
        let features = try ctx.output(of: FeaturesChapter.self)
        let training = try ctx.output(of: TrainingChapter.self)
        let data = LabelledData(features)
        // The notebook's recipe's model (chapter 5 serves a fallback instead when it collapsed).
        let modelURL = ctx.options.chapterFolder(.training).appendingPathComponent(training.notebookModel)
        let loaded = try ModelFile.load(from: modelURL)
        loaded.model.convAlgorithm = ctx.options.conv
        // In feature-row order, as the notebook's evaluation of X_test sees no order at all.
        let test = training.test.sorted()
        guard !test.isEmpty, test.allSatisfy({ $0 < data.count }) else {
            throw StudyError.corruptOutput(path: modelURL.path, reason: "the training record's test rows do not fit chapter 4's features")
        }

        let (x, y) = data.rows(test, standardizer: loaded.standardizer)
        let classes = data.labels.count
        let probs = loaded.model.predictProbabilities(x, count: y.count)
        // Clips of one word are not independent samples: the word is the bootstrap's cluster.
        let result = TestResult(probabilities: probs, truth: y, labels: data.labels, clusters: test.map { data.words[$0] },
                                seed: ctx.options.seed)
        let (m, predicted) = (result.metrics, result.predicted)
        // Keras's model.evaluate loss: cross-entropy from the logits, as in training.
        let loss = Double(NeuralNet.evaluate(loaded.model, x: x, y: y, features: data.features).loss)

        try ctx.write(CSV.encode(header: ["true\\predicted"] + data.labels,
                                 rows: data.labels.indices.map { [data.labels[$0]] + m.confusion[$0].map(String.init) }),
                      to: "confusion_matrix.csv")
        let title = "Confusion matrix — accuracy \(Markdown.fixed(m.accuracy, 4)), UAR \(Markdown.fixed(m.uar, 4))"
        let figure = try ctx.write(Charts.confusionMatrix(counts: m.confusion, labels: data.figureLabels, title: title), to: "confusion_matrix.png")

        // Predictions of every test clip, for anyone who wants to look further.
        try ctx.write(CSV.encode(header: ["path", "true", "predicted"] + data.labels.map { "p_\($0)" },
                                 rows: test.indices.map { i in
                                     [data.paths[test[i]], data.labels[y[i]], data.labels[predicted[i]]]
                                         + (0..<classes).map { String(probs[i * classes + $0]) }
                                 }),
                      to: "predictions.csv")

        // Calibration: is a 0.9 confidence right 90 % of the time? (Guo et al. 2017, top label.)
        let confidence = predicted.indices.map { Double(probs[$0 * classes + predicted[$0]]) }
        let calibration = Statistics.calibration(confidence: confidence, correct: predicted.indices.map { predicted[$0] == y[$0] })
        let reliability = try ctx.write(Charts.reliabilityDiagram(
            bins: calibration.bins.map { ($0.lo, $0.hi, $0.count, $0.accuracy, $0.confidence) }, ece: calibration.ece,
            title: "Reliability of the chapter-6 model"), to: "reliability_diagram.png")

        // The clips it got wrong, playable.
        let root = load.corpus.root
        var errors: [Error] = []
        for i in y.indices where predicted[i] != y[i] {
            let path = data.paths[test[i]]
            var audio: String?
            if errors.count < 24, let signal = try? AudioFile.readMono(root.appendingPathComponent(path)) {
                let name = "errors/\(errors.count + 1).wav"
                try AudioFile.writeWAV16(signal.samples, sampleRate: signal.sampleRate, to: try ctx.url(name))
                audio = ctx.link(name)
            }
            errors.append(Error(path: path, truth: data.labels[y[i]], predicted: data.labels[predicted[i]],
                                confidence: probs[i * classes + predicted[i]], audio: audio))
        }
        return Output(labels: data.labels, confusion: m.confusion, loss: loss, errors: errors, confusionFigure: figure,
                      synthetic: load.kind == .synthetic, accuracyCI: result.accuracyCI, uarCI: result.uarCI,
                      ece: calibration.ece, calibrationBins: calibration.bins, reliabilityFigure: reliability,
                      probabilities: probs)
    }

    public struct Section {
        var notebookCollapsed: Bool
        var collapsedAnswer: String
        /// The file evaluated: chapter 5's `model.safetensors`, or its `notebook-model.safetensors`.
        var modelFile: String
        var testLoss: String
        var testAccuracy: String
        var uar: String
        var macroF1: String
        var nTest: Int
        var nWrong: Int
        var perClassTable: String
        var confusionFigure: String
        var wrongTable: String
        var hasWrong: Bool
        var comparisonTable: String
        var synthetic: Bool
        var accuracyCI: String
        var uarCI: String
        var ece: String
        var reliabilityFigure: String
    }

    public static func section(_ output: Output, _ report: ReportContext) -> Section {
        let m = output.metrics
        let cluster = report.output(of: LoadChapter.self)?.corpus.textNoun ?? "word"
        func ciText(_ i: Statistics.Interval, point: Double) -> String {
            i.bounds == nil ? i.text(point: point, cluster: cluster) : "95 % CI " + i.text(point: point, cluster: cluster)
        }
        var perClass = m.labels.indices.map { k in
            [m.labels[k], Markdown.fixed(m.precision(k), 4), Markdown.fixed(m.recall(k), 4), Markdown.fixed(m.f1(k), 4), String(m.support(k))]
        }
        perClass.append(["macro avg", Markdown.fixed(m.macroPrecision, 4), Markdown.fixed(m.macroRecall, 4), Markdown.fixed(m.macroF1, 4), String(m.total)])
        perClass.append(["weighted avg", Markdown.fixed(m.weighted(m.precision), 4), Markdown.fixed(m.weighted(m.recall), 4),
                         Markdown.fixed(m.weighted(m.f1), 4), String(m.total)])
        let perClassTable = Markdown.table(["class", "precision", "recall", "f1-score", "support"], perClass,
                                           align: ["l", "r", "r", "r", "r"])
        let wrongTable = output.errors.isEmpty ? "" : Markdown.table(["clip", "true", "predicted", "confidence", "listen"],
            output.errors.map { e in
                [Markdown.code(e.path), e.truth, e.predicted, Markdown.fixed(Double(e.confidence), 3),
                 e.audio.map { Markdown.audio($0, label: e.path) } ?? ""]
            })
        let comparison = Markdown.table(
            ["", "notebook (Keras, real TESS)", "this run"],
            [["test accuracy", "\(notebookValAccuracy) (last epoch) / \(notebookEvaluateAccuracy) (evaluate)", Markdown.fixed(m.accuracy, 4)],
             ["test loss", String(notebookValLoss), Markdown.fixed(output.loss, 4)],
             ["test clips", "560", String(m.total)]])
        // The class a collapsed network answers: the most predicted one.
        let answered = m.labels.indices.max { m.predictedCount($0) < m.predictedCount($1) }.map { m.labels[$0] } ?? "?"
        return Section(notebookCollapsed: report.output(of: TrainingChapter.self)?.collapsed ?? false,
                       collapsedAnswer: Markdown.code(answered),
                       modelFile: report.output(of: TrainingChapter.self)?.notebookModel ?? TrainingChapter.modelFile,
                       testLoss: Markdown.fixed(output.loss, 4), testAccuracy: Markdown.fixed(m.accuracy, 4),
                       uar: Markdown.fixed(m.uar, 4), macroF1: Markdown.fixed(m.macroF1, 4), nTest: m.total,
                       nWrong: m.total - m.correct, perClassTable: perClassTable, confusionFigure: output.confusionFigure,
                       wrongTable: wrongTable, hasWrong: !output.errors.isEmpty, comparisonTable: comparison,
                       synthetic: output.synthetic, accuracyCI: ciText(output.accuracyCI, point: m.accuracy),
                       uarCI: ciText(output.uarCI, point: m.uar), ece: Markdown.fixed(output.ece, 3),
                       reliabilityFigure: output.reliabilityFigure)
    }
}
