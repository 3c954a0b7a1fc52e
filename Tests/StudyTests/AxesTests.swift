import Features
import Foundation
import XCTest
@testable import Study

/// Feature sets and models as axes of chapter 7, without a corpus: which runs each ladder level
/// plans, the small-corpus schedule by hand, the "what survives" table's layout, and the
/// logistic model through the registry on data with a known answer.
final class AxesTests: XCTestCase {
    let sets = [LadderSet(name: "mfcc-means", shape: .vector, valuesPerClip: 40),
                LadderSet(name: "mfcc-functionals", shape: .vector, valuesPerClip: 720),
                LadderSet(name: "logmel", shape: .sequence(frames: 301, bands: 64), valuesPerClip: 301 * 64)]

    func name(_ c: LadderCell) -> String { "\(c.protocolName.rawValue)/\(c.recipe.rawValue)/\(c.features)/\(c.model)" }

    func testTheDefaultLevelAddsEachSetOnSpeakerIndependenceWhereItsModelIsAffordable() {
        let cells = LadderLevel.default.cells(sets: sets)
        // The ladder as it was: the notebook's model on its features.
        XCTAssertEqual(cells.prefix(6).map(name), LadderLevel.default.runs.map { "\($0.0.rawValue)/\($0.1.rawValue)/mfcc-means/cnn1d" })
        XCTAssertEqual(cells.dropFirst(6).map(name), [
            "speaker_independent/standardized/mfcc-means/logistic",
            // The CNN on 720 values costs 18× its epoch on 40: --ladder full only.
            "speaker_independent/standardized/mfcc-functionals/logistic",
            "speaker_independent/standardized/logmel/tcn",
        ])
        XCTAssertTrue(LadderLevel.off.cells(sets: sets).isEmpty)
    }

    func testTheFullLevelRunsEveryCombinationOnEveryRung() {
        let cells = LadderLevel.full.cells(sets: sets)
        let combos = Set(cells.map { "\($0.features)/\($0.model)" })
        XCTAssertEqual(combos, ["mfcc-means/cnn1d", "mfcc-means/logistic", "mfcc-functionals/cnn1d", "mfcc-functionals/logistic", "logmel/tcn"])
        for combo in combos where combo != "mfcc-means/cnn1d" {
            let mine = cells.filter { "\($0.features)/\($0.model)" == combo }
            XCTAssertEqual(Set(mine.map(\.protocolName)), Set(LadderProtocol.allCases), combo)
            XCTAssertEqual(mine.filter { $0.recipe == .speakerNormalized }.map(\.protocolName), [.speakerIndependent, .speakerWordDisjoint], combo)
        }
        XCTAssertFalse(cells.contains { $0.model == "tcn" && $0.features != "logmel" }, "a model only on sets of its kind")
        XCTAssertFalse(cells.contains { $0.model != "tcn" && $0.features == "logmel" })
    }

    func testModelsLimitTheOtherCombinationsNeverTheLadder() {
        let cells = LadderLevel.full.cells(sets: sets, models: ["logistic"])
        XCTAssertEqual(Set(cells.map { "\($0.features)/\($0.model)" }), ["mfcc-means/cnn1d", "mfcc-means/logistic", "mfcc-functionals/logistic"])
        XCTAssertEqual(cells.filter(\.isBaseline).count, LadderLevel.full.runs.count, "the notebook's model on its features always runs")
        // A run with other sets or models is not the default run (its digest is another).
        var o = StudyOptions()
        XCTAssertTrue(RunOptionsSummary(o).differencesFromDefault().isEmpty)
        o.models = ["logistic"]
        XCTAssertEqual(RunOptionsSummary(o).differencesFromDefault().count, 1)
        o.featureSets = ["mfcc-means"]
        XCTAssertEqual(RunOptionsSummary(o).differencesFromDefault().count, 2)
    }

    func testTheSmallCorpusScheduleCountsUpdatesByHand() {
        var o = StudyOptions()
        o.patience = 5; o.epochs = 50; o.batchSize = 64
        // 2240 rows: 35 updates an epoch, the notebook's own: unchanged.
        XCTAssertEqual(TrainingRun.smallCorpusSchedule(o, trainingRows: 2240).patience, 5)
        XCTAssertEqual(TrainingRun.smallCorpusSchedule(o, trainingRows: 5000).patience, 5)
        // 1260 rows (one TESS speaker less 10 %): 20 updates → ⌈175 / 20⌉ = 9.
        XCTAssertEqual(TrainingRun.smallCorpusSchedule(o, trainingRows: 1260).patience, 9)
        // 385 rows (EmoDB's random split less validation): 7 updates → 25.
        XCTAssertEqual(TrainingRun.smallCorpusSchedule(o, trainingRows: 385).patience, 25)
        // The epoch budget is the user's.
        XCTAssertEqual(TrainingRun.smallCorpusSchedule(o, trainingRows: 20).epochs, 50)
        XCTAssertEqual(TrainingRun.smallCorpusSchedule(o, trainingRows: 20).patience, 175)
    }

    func run(_ p: LadderProtocol, _ direction: String?, _ features: String, _ model: String, _ accuracy: Double,
             collapsed: Bool = false) -> BeyondChapter.Run {
        BeyondChapter.Run(protocolName: p, direction: direction, recipe: .standardized, features: features, model: model, seed: 42,
                          nTrain: 10, nValidation: 2, nTest: 5, epochs: 3, bestEpoch: 2, accuracy: accuracy, uar: accuracy,
                          accuracyCI: .interval(lo: accuracy - 0.1, hi: accuracy + 0.05), uarCI: .tooFewClusters(3),
                          collapsed: collapsed, seconds: 1, confusion: [], test: [], predicted: [], probabilities: [], figure: "")
    }

    func testTheSurvivalTableHasARowPerCombinationAndAColumnPerRung() {
        let runs = [run(.random, nil, "mfcc-means", "cnn1d", 0.9), run(.speakerIndependent, "A→B", "mfcc-means", "cnn1d", 0.5),
                    run(.speakerIndependent, "B→A", "mfcc-means", "cnn1d", 0.4),
                    run(.speakerIndependent, "A→B", "mfcc-functionals", "logistic", 0.6),
                    run(.speakerIndependent, "B→A", "mfcc-functionals", "logistic", 0.14, collapsed: true),
                    run(.labelShuffle, nil, "mfcc-means", "cnn1d", 0.14, collapsed: true)]
        let s = Survival(runs: runs, pooled: [])
        XCTAssertEqual(s.rungs.map(\.label), ["random", "speaker_independent A→B", "speaker_independent B→A", "label_shuffle"])
        XCTAssertEqual(s.combinations.map(\.label), ["mfcc-means × cnn1d · standardized", "mfcc-functionals × logistic · standardized"])
        XCTAssertNil(s.cells[1][0], "logistic did not run on random")
        XCTAssertEqual(s.cells[1][1]?.accuracy, 0.6)
        XCTAssertEqual(s.cells[1][2]?.collapsed, true)
        XCTAssertEqual(s.cells[0][3]?.collapsed, false, "the control lands at chance by design: not marked")
        let table = s.table(clusterNoun: "word")
        XCTAssertTrue(table.contains(#"| mfcc-functionals × logistic · standardized | — | 0.600 \[0.500, 0.650\] | **0.140 \[0.040, 0.190\] collapsed** | — |"#), table)
    }

    func testLogisticThroughTheRegistryLearnsALinearRule() throws {
        // Class = which of 3 columns is largest, plus 2 noise columns: linearly separable.
        var rng = SystemRandomNumberGenerator()
        func rows(_ n: Int) -> ([Float], [Int]) {
            var x: [Float] = [], y: [Int] = []
            for i in 0..<n {
                let k = i % 3
                var v = (0..<5).map { _ in Float.random(in: 0...1, using: &rng) }
                v[k] += 1.5
                x += v; y.append(k)
            }
            return (x, y)
        }
        let (xTrain, yTrain) = rows(240), (xVal, yVal) = rows(30), (xTest, yTest) = rows(90)
        let model = try XCTUnwrap(Models.named("logistic"))
        XCTAssertTrue(model.accepts(.vector))
        XCTAssertFalse(model.accepts(.sequence(frames: 3, bands: 2)))
        let trained = try model.train(ModelData(xTrain: xTrain, yTrain: yTrain, xValidation: xVal, yValidation: yVal,
                                                shape: .vector, valuesPerClip: 5, classes: 3),
                                      options: StudyOptions(), seed: 1, label: "test", progress: StudyProgress(quiet: true))
        let p = trained.probabilities(xTest, yTest.count)
        let predicted = yTest.indices.map { i in (0..<3).max { p[i * 3 + $0] < p[i * 3 + $1] }! }
        let accuracy = Double(zip(predicted, yTest).filter { $0 == $1 }.count) / Double(yTest.count)
        XCTAssertGreaterThan(accuracy, 0.95)
        XCTAssertFalse(trained.collapsed)
        XCTAssertEqual(Models.taking(.sequence(frames: 2, bands: 2)).map(\.name), ["tcn"])
        XCTAssertEqual(Models.taking(.vector).map(\.name), ["cnn1d", "logistic"])
    }
}

/// The runner hands a running chapter only the outputs of the chapters it declared, so that its
/// cache key (which holds their keys) cannot miss an input.
final class DeclaredOutputsTests: XCTestCase {
    func testAChapterSeesOnlyItsDeclaredUpstream() {
        let all: [ChapterID: any Sendable] = [.load: 1, .eda: 2, .targets: 3, .features: 4, .training: 5, .evaluation: 6]
        XCTAssertEqual(Set(StudyRunner.declared(BeyondChapter.self, from: all).keys), [.load, .features, .evaluation])
        XCTAssertEqual(Set(StudyRunner.declared(TrainingChapter.self, from: all).keys), [.load, .features])
        XCTAssertTrue(StudyRunner.declared(LoadChapter.self, from: all).isEmpty)
        // What a chapter declares but is missing stays missing (the runner refuses to run it).
        XCTAssertEqual(Set(StudyRunner.declared(EvaluationChapter.self, from: [.load: 1]).keys), [.load])
    }
}
