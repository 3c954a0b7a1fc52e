import Corpus
import Foundation
import Report
import TestSupport
import XCTest
@testable import Study

/// `study sweep`: the plan, the Slurm submissions, and a cell against chapter 7's own run.
final class SweepTests: XCTestCase {
    static var studyBinary: URL { BuiltProduct.url("study") }

    func training(epochs: Int = 2) -> SweepTraining {
        SweepTraining(preset: "notebook", epochs: epochs, batchSize: 64, patience: 5, kernels: "deterministic", conv: "winograd",
                      standardization: "global")
    }

    func testAPlanIsTheSameTwiceAndItsIdsFollowEveryOption() throws {
        let dir = try SharedData.temporaryDirectory("sweep-plan")
        defer { try? FileManager.default.removeItem(at: dir) }
        let corpus = dir.appendingPathComponent("corpus")
        try SyntheticCorpus.synthesize(to: corpus, words: 1)
        func plan(seeds: [UInt64] = [42, 43], epochs: Int = 2) throws -> SweepPlan {
            try SweepPlan.make(SweepGrid(corpora: [corpus], features: ["mfcc-means", "logmel"], models: ["cnn1d", "logistic", "tcn"],
                                         protocols: [.random, .speakerIndependent], recipes: [.standardized], seeds: seeds,
                                         training: training(epochs: epochs)), executableSHA256: "x")
        }
        let a = try plan(), b = try plan()
        XCTAssertEqual(a, b)
        // By hand: mfcc-means takes cnn1d and logistic, logmel only tcn: 3 set × model pairs;
        // random gives 1 cell per seed, speaker_independent 2 (both directions): 3 × 2 × 3 = 18.
        XCTAssertEqual(a.cells.count, 18)
        XCTAssertEqual(a.stages.count, 2)
        XCTAssertEqual(Set(a.cells.map(\.id)).count, a.cells.count, "ids are unique")
        XCTAssertEqual(a.cells.filter { $0.protocolName == .speakerIndependent }.map(\.direction).compactMap { $0 }.sorted().first, "SOF→SYF")
        XCTAssertEqual(a.skipped.count, 3, "logistic and cnn1d on logmel, tcn on mfcc-means are said, not dropped")
        // Another seed range keeps the shared cells' ids; other epochs change every id.
        let c = try plan(seeds: [43])
        XCTAssertTrue(Set(c.cells.map(\.id)).isSubset(of: Set(a.cells.map(\.id))))
        XCTAssertTrue(Set(try plan(epochs: 3).cells.map(\.id)).isDisjoint(with: Set(a.cells.map(\.id))))
        // The plan file round-trips, and one with a path for an id is refused.
        try a.write(to: dir)
        XCTAssertEqual(try SweepPlan.read(dir), a)
        var bad = a
        bad.cells[0].id = "../../etc"
        try bad.write(to: dir)
        XCTAssertThrowsError(try SweepPlan.read(dir))
        XCTAssertThrowsError(try a.checkExecutable("y", sweep: dir))
    }

    func testSlurmArraysAreSplitAtMaxArraySizeAndWaitForTheFeatures() {
        let plan = SweepPlan(codeVersion: studyCodeVersion, executableSHA256: "x", training: training(), corpora: [], stages: [],
                             cells: [], skipped: [])
        var slurm = SlurmSweepExecutor(sweep: URL(fileURLWithPath: "/s"), plan: plan)
        slurm.maxArraySize = 1001
        slurm.maxRunning = 8
        let subs = slurm.submissions(kind: "cells", indices: Array(0..<2500).filter { $0 != 7 }, dependency: ["11", "12"])
        XCTAssertEqual(subs.count, 3)
        XCTAssertEqual(subs.map { $0[1] }, ["--array=0-6,8-1000%8", "--array=0-1000%8", "--array=0-497%8"])
        XCTAssertEqual(subs.map { $0[2] }, ["--export=ALL,SWEEP_OFFSET=0", "--export=ALL,SWEEP_OFFSET=1001", "--export=ALL,SWEEP_OFFSET=2002"])
        for s in subs {
            XCTAssertTrue(s.contains("--dependency=afterok:11:12"))
            XCTAssertTrue(s.contains("--kill-on-invalid-dep=yes"))
        }
        XCTAssertEqual(SlurmSweepExecutor.ranges([9, 1, 2, 3, 5]), "1-3,5,9")
        XCTAssertEqual(Escape.shellWord("it's"), "'it'\\''s'")
        XCTAssertTrue(slurm.script(kind: "cells").contains("SLURM_ARRAY_TASK_ID"))
        XCTAssertTrue(slurm.script(kind: "features").contains("SLURM_CPUS_PER_TASK"))
    }

    /// A sweep's cell is chapter 7's run: the same options give the same probabilities, bit for bit.
    func testACellGivesChapterSevensProbabilitiesAndCollectSaysWhatIsMissing() throws {
        let dir = try SharedData.temporaryDirectory("sweep-e2e")
        defer { try? FileManager.default.removeItem(at: dir) }
        let corpus = dir.appendingPathComponent("corpus")
        try SyntheticCorpus.synthesize(to: corpus, words: 3)
        let study = Self.studyBinary
        var r = try BuiltProduct.run(study, ["run", "--quiet", "--data", corpus.path, "--epochs", "2", "--features", "mfcc-means",
                                            "--models", "logistic", "--output", dir.appendingPathComponent("run").path, "--threads", "2"])
        XCTAssertEqual(r.status, 0, r.err)
        let sweep = dir.appendingPathComponent("sweep")
        // Chapter 7's default ladder makes five of these six: cnn1d (the notebook's model) on every
        // rung, logistic on speaker_independent only.
        r = try BuiltProduct.run(study, ["sweep", "plan", "--data", corpus.path, "--features", "mfcc-means", "--models", "cnn1d,logistic",
                                        "--protocols", "speaker_independent,random", "--seeds", "42", "--epochs", "2", "--output", sweep.path])
        XCTAssertEqual(r.status, 0, r.err)
        let plan = try SweepPlan.read(sweep)
        XCTAssertEqual(plan.cells.count, 6, "2 models × (2 directions + random)")
        // Only the stage and the first cell: collect then names the two missing cells.
        r = try BuiltProduct.run(study, ["sweep", "run-stage", sweep.path, "0", "--quiet", "--threads", "2"])
        XCTAssertEqual(r.status, 0, r.err)
        r = try BuiltProduct.run(study, ["sweep", "run-cell", sweep.path, "0", "--quiet"])
        XCTAssertEqual(r.status, 0, r.err)
        let partial = try SweepCollect.collect(sweep)
        XCTAssertEqual(partial.missing, [1, 2, 3, 4, 5])
        XCTAssertEqual(partial.combinations.map(\.seeds), [1, 0, 0, 0, 0, 0])
        XCTAssertNil(partial.combinations[1].accuracyMean, "nothing is averaged over a missing cell")
        r = try BuiltProduct.run(study, ["sweep", "run", sweep.path, "--jobs", "2", "--quiet"])
        XCTAssertEqual(r.status, 0, r.err)
        let collected = try SweepCollect.collect(sweep)
        XCTAssertEqual(collected.missing, [])

        let record = try JSONDecoder().decode(ChapterRecord<BeyondChapter.Output>.self,
                                              from: Data(contentsOf: dir.appendingPathComponent("run/07-beyond/chapter.json")))
        var compared = 0
        for cell in plan.cells {
            let result = try RecordStore.decoder().decode(CellResult.self, from: Data(contentsOf: SweepFolder(sweep).result(cell)))
            guard let run = record.output.runs.first(where: {
                $0.protocolName == cell.protocolName && $0.direction == cell.direction && $0.recipe == cell.recipe
                    && $0.features == cell.features && $0.model == cell.model && $0.seed == cell.seed
            }) else { continue }
            compared += 1
            XCTAssertEqual(result.probabilities, run.probabilities, "cell \(cell.index)")
            XCTAssertEqual(result.accuracy, run.accuracy)
            XCTAssertEqual(result.predictionsSHA256, Reproducibility.sha256(floats: run.probabilities))
        }
        XCTAssertEqual(compared, 5, "every cell but logistic on random has its chapter 7 run")
        // A finished cell is never recomputed: its result file stays as it is.
        let first = SweepFolder(sweep).result(plan.cells[0])
        let before = try Data(contentsOf: first)
        r = try BuiltProduct.run(study, ["sweep", "run-cell", sweep.path, "0", "--quiet"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(try Data(contentsOf: first), before)
        // An index outside the plan is a clear error.
        r = try BuiltProduct.run(study, ["sweep", "run-cell", sweep.path, "99"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.contains("cells 0…5"), r.err)
    }
}
