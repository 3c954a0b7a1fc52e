import Base
import Foundation
import Report

// Executors of a sweep: they only decide where `study sweep run-stage` and `run-cell` run.
// Both assume a file system that holds SWEEP, the corpora and the executable; neither has a
// protocol of its own.

/// The executable that runs now, and its SHA-256 (what a plan records and `run-cell` checks).
public enum StudyExecutable {
    public static var url: URL {
        URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0])
    }

    public static func sha256() throws -> String { try SHA256.hex(ofFileAt: url) }
}

/// The sweep's state read from its folder alone (and squeue when Slurm ran it).
public struct SweepStatus: Sendable {
    public var stagesDone: Int
    public var stages: Int
    public var done: [Int]
    public var failed: [Int]
    public var missing: [Int]
    public var cells: Int

    public static func read(_ plan: SweepPlan, folder: SweepFolder) -> SweepStatus {
        var done: [Int] = [], failed: [Int] = [], missing: [Int] = []
        for c in plan.cells {
            if folder.isDone(c) { done.append(c.index) } else if folder.hasFailed(c) { failed.append(c.index) } else { missing.append(c.index) }
        }
        return SweepStatus(stagesDone: plan.stages.filter(folder.isDone).count, stages: plan.stages.count,
                           done: done, failed: failed, missing: missing, cells: plan.cells.count)
    }

    public var line: String {
        "features stages \(stagesDone)/\(stages) done; cells: \(done.count) done, \(failed.count) failed, \(missing.count) missing of \(cells)"
    }
}

/// `--executor local`: a pool of `jobs` processes of this executable on this machine.
public enum LocalSweepExecutor {
    /// Runs every stage that is not done, then every cell that is not done, `jobs` processes at
    /// a time; a progress bar counts cells done and failed with the time left. Returns the
    /// indices of the cells that failed.
    @discardableResult
    public static func run(_ sweep: URL, plan: SweepPlan, jobs: Int, threadsPerStage: Int, progress: StudyProgress) throws -> [Int] {
        let folder = SweepFolder(sweep)
        let exe = StudyExecutable.url.path
        let logs = sweep.appendingPathComponent("logs", isDirectory: true)
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        let stages = plan.stages.filter { !folder.isDone($0) }
        var failedStages: [Int] = []
        try pool(stages.map(\.index), jobs: max(1, min(jobs, stages.count))) { i in
            try spawn(exe, ["sweep", "run-stage", sweep.path, String(i), "--threads", String(threadsPerStage), "--quiet"],
                      log: logs.appendingPathComponent("stage_\(i).log"))
        } onDone: { i, ok, done in
            if !ok { failedStages.append(i) }
            progress.line("sweep: features stage \(i) \(ok ? "done" : "FAILED (\(logs.path)/stage_\(i).log)") (\(done)/\(stages.count))")
        }
        guard failedStages.isEmpty else {
            throw StudyError.invalidOption("features stage(s) \(failedStages.map(String.init).joined(separator: ", ")) failed: see \(logs.path)/stage_N.log; "
                + "`study sweep run \(sweep.path)` runs what is missing again")
        }
        let cells = plan.cells.filter { !folder.isDone($0) }.map(\.index)
        let start = Date()
        var failed: [Int] = []
        progress.start("sweep cells", total: cells.count)
        try pool(cells, jobs: max(1, min(jobs, cells.count))) { i in
            try spawn(exe, ["sweep", "run-cell", sweep.path, String(i)], log: logs.appendingPathComponent("cell_\(i).log"))
        } onDone: { i, ok, done in
            if !ok { failed.append(i) }
            let elapsed = Date().timeIntervalSince(start)
            let left = done < cells.count ? elapsed / Double(done) * Double(cells.count - done) : 0
            progress.update(String(format: "sweep cells (%d failed, about %.0f s left)", failed.count, left), done: done, total: cells.count)
        }
        return failed.sorted()
    }

    /// Runs `work` on each item with at most `jobs` at once (each worker takes the next item);
    /// `onDone(item, ok, finished so far)` is called serially, under a lock. An error stops
    /// the workers from taking more items and is rethrown.
    static func pool(_ items: [Int], jobs: Int, _ work: @escaping @Sendable (Int) throws -> Bool,
                     onDone: @escaping (Int, Bool, Int) -> Void) throws {
        guard !items.isEmpty else { return }
        let queue = PoolQueue(items: items, onDone: onDone)
        // Threads of their own, not GCD's pool: a worker mostly waits for its process, and
        // `--jobs` may exceed the cores.
        let group = DispatchGroup()
        for _ in 0..<max(1, jobs) {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                while let item = queue.next() { queue.finish(item, Result { try work(item) }) }
            }
        }
        group.wait()
        if let e = queue.error { throw e }
    }

    /// The pool's shared state: the next item, the count done and the first error, under one
    /// lock. `onDone` is only called under that lock, so its calls never overlap (it is
    /// escaping: a finished thread may release its closure after the pool returns).
    final class PoolQueue: @unchecked Sendable {
        private let lock = NSLock()
        private let items: [Int]
        private let onDone: (Int, Bool, Int) -> Void
        private var position = 0, done = 0
        private var firstError: Error?

        init(items: [Int], onDone: @escaping (Int, Bool, Int) -> Void) {
            self.items = items
            self.onDone = onDone
        }

        var error: Error? { lock.withLock { firstError } }

        /// The next item, or nil when all are taken or one failed with an error.
        func next() -> Int? {
            lock.withLock {
                guard firstError == nil, position < items.count else { return nil }
                position += 1
                return items[position - 1]
            }
        }

        func finish(_ item: Int, _ result: Result<Bool, any Error>) {
            lock.withLock {
                done += 1
                switch result {
                case .success(let ok): onDone(item, ok, done)
                case .failure(let e): if firstError == nil { firstError = e }
                }
            }
        }
    }

    /// Runs the executable with `arguments`, its output into `log`; true when it exits 0.
    static func spawn(_ exe: String, _ arguments: [String], log: URL) throws -> Bool {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = arguments
        FileManager.default.createFile(atPath: log.path, contents: nil)
        guard let handle = FileHandle(forWritingAtPath: log.path) else { throw WriteError(path: log.path, code: errno) }
        defer { try? handle.close() }
        p.standardOutput = handle
        p.standardError = handle
        try p.run()
        p.waitUntilExit()
        return p.terminationStatus == 0
    }
}

/// `--executor slurm`: job arrays written as sbatch scripts and submitted with `sbatch`.
public struct SlurmSweepExecutor: Sendable {
    public var sweep: URL
    public var plan: SweepPlan
    /// At most this many tasks of an array at once (`%MAX`).
    public var maxRunning: Int = 64
    /// The cluster's MaxArraySize (1001 by default): longer arrays are split.
    public var maxArraySize: Int = 1001
    /// `#SBATCH` lines the user adds (`--sbatch-arg`), as given, e.g. `--partition=short`.
    public var extra: [String] = []
    public var threadsPerStage: Int = 2

    public init(sweep: URL, plan: SweepPlan) {
        self.sweep = sweep
        self.plan = plan
    }

    /// The sbatch script of one kind: the array index plus `SWEEP_OFFSET` picks the stage or cell.
    func script(kind: String) -> String {
        let exe = StudyExecutable.url.path
        let folder = SweepFolder(sweep)
        let (cpus, time, mem) = kind == "features" ? (threadsPerStage, "02:00:00", "8G") : (1, "01:00:00", "4G")
        var lines = ["#!/bin/bash",
                     "#SBATCH --job-name=study-\(kind)",
                     "#SBATCH --cpus-per-task=\(cpus)",
                     "#SBATCH --time=\(time)",
                     "#SBATCH --mem=\(mem)",
                     "#SBATCH --output=\(folder.slurm.path)/logs/\(kind)_%A_%a.out"]
        lines += extra.map { "#SBATCH \($0)" }
        let verb = kind == "features" ? "run-stage" : "run-cell"
        lines += ["# Written by `study sweep run --executor slurm`; the array index plus SWEEP_OFFSET is the \(kind == "features" ? "stage" : "cell").",
                  "set -eu",
                  "index=$(( ${SLURM_ARRAY_TASK_ID:?not an array task} + ${SWEEP_OFFSET:-0} ))"]
        if kind == "features" {
            lines.append("exec \(Escape.shellWord(exe)) sweep \(verb) \(Escape.shellWord(sweep.path)) \"$index\" --threads \"${SLURM_CPUS_PER_TASK:-1}\" --quiet")
        } else {
            lines.append("exec \(Escape.shellWord(exe)) sweep \(verb) \(Escape.shellWord(sweep.path)) \"$index\"")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The sbatch calls for `indices` of one kind: arrays of at most `maxArraySize` indices,
    /// each as `--array=<list>%MAX` relative to its offset.
    func submissions(kind: String, indices: [Int], dependency: [String]) -> [[String]] {
        guard !indices.isEmpty else { return [] }
        var out: [[String]] = []
        var chunks: [Int: [Int]] = [:]
        for i in indices { chunks[i / maxArraySize, default: []].append(i % maxArraySize) }
        for k in chunks.keys.sorted() {
            let list = Self.ranges(chunks[k]!)
            var args = ["--parsable", "--array=\(list)%\(maxRunning)", "--export=ALL,SWEEP_OFFSET=\(k * maxArraySize)"]
            if !dependency.isEmpty { args += ["--dependency=afterok:" + dependency.joined(separator: ":"), "--kill-on-invalid-dep=yes"] }
            args.append(SweepFolder(sweep).slurm.appendingPathComponent("\(kind).sbatch").path)
            out.append(args)
        }
        return out
    }

    /// "0-3,7,9-10" from sorted indices.
    static func ranges(_ xs: [Int]) -> String {
        var parts: [String] = []
        var i = 0
        let s = xs.sorted()
        while i < s.count {
            var j = i
            while j + 1 < s.count && s[j + 1] == s[j] + 1 { j += 1 }
            parts.append(i == j ? "\(s[i])" : "\(s[i])-\(s[j])")
            i = j + 1
        }
        return parts.joined(separator: ",")
    }

    /// Writes both scripts and submits arrays for the stages and cells not done (all when
    /// nothing ran yet), the cells after the stages. Returns the job ids; with `dryRun`, only
    /// prints the sbatch lines.
    public func submit(dryRun: Bool, progress: StudyProgress) throws -> [String] {
        let folder = SweepFolder(sweep)
        try FileManager.default.createDirectory(at: folder.slurm.appendingPathComponent("logs"), withIntermediateDirectories: true)
        try writeAtomically(script(kind: "features"), to: folder.slurm.appendingPathComponent("features.sbatch"))
        try writeAtomically(script(kind: "cells"), to: folder.slurm.appendingPathComponent("cells.sbatch"))
        let stages = plan.stages.filter { !folder.isDone($0) }.map(\.index)
        let cells = plan.cells.filter { !folder.isDone($0) }.map(\.index)
        var ids: [String] = []
        var featureJobs: [String] = []
        for args in submissions(kind: "features", indices: stages, dependency: []) {
            let id = try sbatch(args, dryRun: dryRun, progress: progress)
            featureJobs.append(id)
            ids.append(id)
        }
        for args in submissions(kind: "cells", indices: cells, dependency: featureJobs) {
            ids.append(try sbatch(args, dryRun: dryRun, progress: progress))
        }
        if !dryRun {
            try writeAtomically(ids.joined(separator: "\n") + "\n", to: folder.slurm.appendingPathComponent("jobs.txt"))
        }
        return ids
    }

    func sbatch(_ args: [String], dryRun: Bool, progress: StudyProgress) throws -> String {
        let line = "sbatch " + args.map(Escape.shellWord).joined(separator: " ")
        if dryRun {
            print(line)
            return "dry-run"
        }
        let (status, out, err) = try Self.capture("sbatch", args)
        guard status == 0, let id = out.split(separator: "\n").first.map({ String($0.split(separator: ";")[0]) }), !id.isEmpty else {
            throw StudyError.invalidOption("sbatch failed (exit \(status)): \(err.trimmingCharacters(in: .whitespacesAndNewlines)) — the command was: \(line)")
        }
        progress.line("sweep: submitted job \(id): \(line)")
        return id
    }

    /// Runs a program found on PATH; its exit status, standard output and error.
    static func capture(_ program: String, _ args: [String]) throws -> (Int32, String, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [program] + args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        do { try p.run() } catch {
            throw StudyError.invalidOption("cannot run \(program): \(error) (is Slurm's client installed and SLURM_CONF set?)")
        }
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    /// Tasks of the sweep's jobs that squeue still lists (pending or running), or nil when
    /// squeue is not available.
    public static func queued(_ sweep: URL) -> [String]? {
        let jobs = SweepFolder(sweep).slurm.appendingPathComponent("jobs.txt")
        guard let text = try? String(contentsOf: jobs, encoding: .utf8) else { return [] }
        let ids = text.split(separator: "\n").map(String.init).filter { !$0.isEmpty }
        guard !ids.isEmpty else { return [] }
        guard let (status, out, err) = try? capture("squeue", ["-h", "-r", "-j", ids.joined(separator: ","), "-o", "%i %T"]) else { return nil }
        // Jobs that ended long ago are purged: squeue then says "Invalid job id" and exits 1.
        if status != 0 { return err.contains("Invalid job id") ? [] : nil }
        return out.split(separator: "\n").map(String.init)
    }
}
