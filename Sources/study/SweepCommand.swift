import ArgumentParser
import Base
import Features
import Foundation
import Inference
import NeuralNet
import Study

/// `study sweep`: a grid of chapter 7's runs as a plan of cells, run locally or as Slurm job arrays.
struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Plan a grid of trainings (corpora × feature sets × models × protocols × recipes × seeds) and run it here or on Slurm.",
        discussion: """
        study sweep plan --data DIR --features mfcc-means,egemaps-v02 --models cnn1d,logistic --protocols random,speaker_independent --seeds 42-51 --output SWEEP
        study sweep run SWEEP [--executor local|slurm]     then: study sweep status SWEEP; study sweep collect SWEEP
        """,
        subcommands: [Plan.self, Run.self, RunStage.self, RunCell.self, Status.self, Resume.self, Collect.self])

    /// "42-51", "1,5,9" or "7": each 0…2³²−1.
    static func seeds(_ text: String) throws -> [UInt64] {
        var out: [UInt64] = []
        for part in commaList(text) {
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
            guard (1...2).contains(bounds.count), let lo = UInt32(bounds[0]), let hi = UInt32(bounds.last!), lo <= hi, hi - lo < 10_000 else {
                throw ValidationError("--seeds \(text): write seeds as 42-51, 1,5,9 or 7 (whole numbers 0…4294967295, at most 10000 in a range)")
            }
            out += (lo...hi).map(UInt64.init)
        }
        guard Set(out).count == out.count else { throw ValidationError("--seeds \(text): a seed is named twice") }
        return out
    }

    static func sweepURL(_ path: String) throws -> URL {
        guard !path.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("SWEEP: an empty path; name the sweep's folder") }
        return URL(fileURLWithPath: path)
    }

    struct Plan: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write SWEEP/plan.json: the stages and cells of a grid.")

        @Option(help: "A corpus folder (repeat it for more corpora).")
        var data: [String] = []
        @Option(help: "Feature sets, comma-separated (`study features --list`).")
        var features: String = "mfcc-means"
        @Option(help: ArgumentHelp("Models, comma-separated: \(Models.list.map(\.name).joined(separator: ", ")). A model is paired only with the sets it takes."))
        var models: String = "cnn1d"
        @Option(help: ArgumentHelp("Protocols, comma-separated: \(LadderProtocol.allCases.map(\.rawValue).joined(separator: ", ")). The speaker protocols give one cell per direction or fold."))
        var protocols: String = "random,speaker_independent"
        @Option(help: ArgumentHelp("Recipes, comma-separated: \(LadderRecipe.allCases.map(\.rawValue).joined(separator: ", "))."))
        var recipes: String = "standardized"
        @Option(help: "Seeds: 42-51, 1,5,9 or 7.")
        var seeds: String = "42"
        @Option(help: "Maximum number of training epochs.")
        var epochs: Int = 50
        @Option(help: "Feature preset.")
        var preset: FeaturePreset = .notebook
        @Option(help: "The arithmetic of the float work.")
        var kernels: Arithmetic = .deterministic
        @Option(help: "How the network's Conv1D layers compute.")
        var conv: ConvAlgorithm = .winograd
        @Option(help: "How the standardized recipe pools its statistics.")
        var standardization: FeatureRecipe.Standardization = StudyOptions.defaultStandardization
        @Option(help: "The sweep's folder.")
        var output: String

        func run() throws {
            guard !data.isEmpty else { throw ValidationError("--data: a sweep needs at least one corpus folder") }
            var corpora: [URL] = []
            for d in data {
                var isDir: ObjCBool = false
                guard FileManager.default.fileExists(atPath: d, isDirectory: &isDir), isDir.boolValue else {
                    throw ValidationError("--data \(d): no such folder")
                }
                // Absolute: every task of a cluster reads the plan from its own working folder.
                corpora.append(URL(fileURLWithPath: d).standardizedFileURL)
            }
            func parse<T: RawRepresentable>(_ text: String, _ option: String, _ all: [T]) throws -> [T] where T.RawValue == String {
                try commaList(text).map { n in
                    guard let v = T(rawValue: n) else {
                        throw ValidationError("\(option): no '\(n)'; there are \(all.map(\.rawValue).joined(separator: ", "))")
                    }
                    return v
                }
            }
            let protocolList: [LadderProtocol] = try parse(protocols, "--protocols", LadderProtocol.allCases)
            let recipeList: [LadderRecipe] = try parse(recipes, "--recipes", LadderRecipe.allCases)
            guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1") }
            guard standardization != .none else { throw ValidationError("--standardization: the standardized recipe needs a scope") }
            let training = SweepTraining(preset: preset.name, epochs: epochs, batchSize: 64, patience: 5, kernels: kernels.rawValue,
                                         conv: conv.rawValue, standardization: standardization.rawValue)
            let grid = SweepGrid(corpora: corpora, features: commaList(features),
                                 models: commaList(models), protocols: protocolList, recipes: recipeList,
                                 seeds: try SweepCommand.seeds(seeds), training: training)
            let sweep = try SweepCommand.sweepURL(output)
            try runReportingErrors {
                let plan = try SweepPlan.make(grid, executableSHA256: try StudyExecutable.sha256())
                try plan.write(to: sweep)
                print("\(sweep.path)/plan.json: \(plan.stages.count) features stage(s), \(plan.cells.count) cell(s)"
                      + (plan.skipped.isEmpty ? "" : ", \(plan.skipped.count) combination(s) skipped (listed in the plan)"))
            }
        }
    }

    struct RunStage: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "run-stage", abstract: "Compute one features stage (what an executor runs).")
        @Argument var sweep: String
        @Argument var index: Int
        @Option(help: "Threads for the feature extraction.")
        var threads: Int = min(64, max(1, ProcessInfo.processInfo.activeProcessorCount))
        @Flag(name: .shortAndLong) var quiet = false

        func run() throws {
            guard (1...64).contains(threads) else { throw ValidationError("--threads \(threads): use 1…64") }
            let url = try SweepCommand.sweepURL(sweep)
            try runReportingErrors {
                try SweepRunner.runStage(url, index: index, threads: threads, executableSHA256: try StudyExecutable.sha256(), quiet: quiet)
            }
        }
    }

    struct RunCell: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "run-cell", abstract: "Run one cell: one training and its evaluation (what an executor runs).")
        @Argument var sweep: String
        @Argument var index: Int
        @Flag(name: .shortAndLong) var quiet = false

        func run() throws {
            let url = try SweepCommand.sweepURL(sweep)
            try runReportingErrors {
                try SweepRunner.runCell(url, index: index, executableSHA256: try StudyExecutable.sha256(), progress: StudyProgress(quiet: quiet))
            }
        }
    }

    enum Executor: String, ExpressibleByArgument, CaseIterable { case local, slurm }

    struct ExecutorOptions: ParsableArguments {
        @Option(help: "Where the cells run: local (a pool of processes here) or slurm (job arrays through sbatch).")
        var executor: Executor = .local
        @Option(help: "local: processes at once.")
        var jobs: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)
        @Option(help: "Threads of a features stage (local; on Slurm its --cpus-per-task).")
        var stageThreads: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)
        @Option(help: "slurm: at most this many tasks of an array at once (%MAX).")
        var maxRunning: Int = 64
        @Option(help: "slurm: the cluster's MaxArraySize (`scontrol show config`); longer arrays are split.")
        var maxArraySize: Int = 1001
        @Option(name: .customLong("sbatch-arg"), help: "slurm: an #SBATCH line to add, e.g. --sbatch-arg=--partition=short (repeatable).")
        var sbatchArgs: [String] = []
        @Flag(help: "slurm: write the scripts and print the sbatch commands without submitting.")
        var dryRun = false
        @Flag(name: .shortAndLong) var quiet = false

        func validate() throws {
            guard (1...256).contains(jobs) else { throw ValidationError("--jobs \(jobs): use 1…256") }
            guard (1...64).contains(stageThreads) else { throw ValidationError("--stage-threads \(stageThreads): use 1…64") }
            guard maxRunning >= 1, maxArraySize >= 1 else { throw ValidationError("--max-running and --max-array-size must be at least 1") }
            for a in sbatchArgs where a.contains("\n") || !a.hasPrefix("-") {
                throw ValidationError("--sbatch-arg \(a): one sbatch option per use, starting with - (e.g. --partition=short)")
            }
        }

        /// Runs or submits what is not done; `resuming` first refuses while tasks of the sweep are
        /// still queued on Slurm (they would run twice).
        func execute(_ url: URL, resuming: Bool = false) throws {
            if resuming, executor == .slurm, let queued = SlurmSweepExecutor.queued(url), !queued.isEmpty {
                throw StudyError.invalidOption("\(queued.count) task(s) of this sweep are still queued or running (squeue): wait for them, "
                    + "or scancel them, before resuming")
            }
            let plan = try SweepPlan.open(url, executableSHA256: try StudyExecutable.sha256())
            let progress = StudyProgress(quiet: quiet)
            switch executor {
            case .local:
                let failed = try LocalSweepExecutor.run(url, plan: plan, jobs: jobs, threadsPerStage: stageThreads, progress: progress)
                print(SweepStatus.read(plan, folder: SweepFolder(url)).line)
                if !failed.isEmpty {
                    throw StudyError.invalidOption("\(failed.count) cell(s) failed (\(failed.prefix(20).map(String.init).joined(separator: ", "))): "
                        + "their errors are in \(url.path)/cells/<id>.failed and \(url.path)/logs/cell_N.log; `study sweep resume \(url.path)` runs them again")
                }
                print("next: study sweep collect \(url.path)")
            case .slurm:
                var slurm = SlurmSweepExecutor(sweep: url, plan: plan)
                slurm.maxRunning = maxRunning
                slurm.maxArraySize = maxArraySize
                slurm.extra = sbatchArgs
                slurm.threadsPerStage = stageThreads
                let ids = try slurm.submit(dryRun: dryRun, progress: progress)
                if dryRun {
                    print("scripts: \(url.path)/slurm/features.sbatch, \(url.path)/slurm/cells.sbatch (not submitted)")
                } else if ids.isEmpty {
                    print("nothing to submit: every stage and cell is done")
                } else {
                    print("submitted job(s) \(ids.joined(separator: " ")); follow them with `squeue -j \(ids.joined(separator: ","))` "
                          + "and `study sweep status \(url.path)`; logs in \(url.path)/slurm/logs")
                }
            }
        }
    }

    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run every stage and cell that is not done.")
        @Argument var sweep: String
        @OptionGroup var executor: ExecutorOptions

        func run() throws {
            let url = try SweepCommand.sweepURL(sweep)
            try runReportingErrors { try executor.execute(url) }
        }
    }

    struct Resume: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run (or submit) only the stages and cells that are missing or failed.")
        @Argument var sweep: String
        @OptionGroup var executor: ExecutorOptions

        func run() throws {
            let url = try SweepCommand.sweepURL(sweep)
            try runReportingErrors { try executor.execute(url, resuming: true) }
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Done, failed and missing cells, from the sweep's folder (and squeue).")
        @Argument var sweep: String

        func run() throws {
            let url = try SweepCommand.sweepURL(sweep)
            try runReportingErrors {
                let plan = try SweepPlan.read(url)
                let status = SweepStatus.read(plan, folder: SweepFolder(url))
                print(status.line)
                if !status.failed.isEmpty { print("failed: " + status.failed.map(String.init).joined(separator: ", ")) }
                if !status.missing.isEmpty && status.missing.count <= 50 { print("missing: " + status.missing.map(String.init).joined(separator: ", ")) }
                switch SlurmSweepExecutor.queued(url) {
                case .some(let q) where !q.isEmpty:
                    let running = q.filter { $0.hasSuffix("RUNNING") }.count
                    var line = "slurm: \(q.count) task(s) queued, \(running) running"
                    // Time left, from the pace since the last submission (jobs.txt's time).
                    let jobs = SweepFolder(url).slurm.appendingPathComponent("jobs.txt").path
                    if let since = (try? FileManager.default.attributesOfItem(atPath: jobs))?[.modificationDate] as? Date,
                       !status.done.isEmpty, !status.missing.isEmpty {
                        let elapsed = Date().timeIntervalSince(since)
                        line += String(format: "; about %.0f s left at the pace so far", elapsed / Double(status.done.count) * Double(status.missing.count))
                    }
                    print(line)
                case .some: break
                case .none: print("slurm: squeue is not available here; the counts above come from the sweep's folder")
                }
            }
        }
    }

    struct Collect: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Merge the cells into SWEEP/report (sweep.json, table, report).")
        @Argument var sweep: String

        func run() throws {
            let url = try SweepCommand.sweepURL(sweep)
            try runReportingErrors {
                let c = try SweepCollect.collect(url)
                let html = try SweepCollect.write(c, to: url)
                print(SweepCollect.table(c))
                if !c.missing.isEmpty { print("\(c.missing.count) cell(s) have no result: not averaged over (see the report)") }
                print(html.path)
            }
        }
    }
}
