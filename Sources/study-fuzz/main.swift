// study-fuzz: a small, seeded, time-bounded fuzz of the parsers that read untrusted input (the
// manifest, WAV files, model files, multipart uploads). Each target mutates valid inputs with a
// seeded generator and checks that every case ends in a result or a clear error (one that
// names the file or says what is wrong), that nothing is written outside a temporary folder,
// and that no case takes longer than a bound. A crash is the process dying: `make fuzz` sees
// its exit status. Run by `.ci/run` after `make test`.
import ArgumentParser
import Base
import Foundation

struct StudyFuzz: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "study-fuzz",
        abstract: "Seeded fuzz of the manifest parser, the WAV reader, the model reader and the multipart parser.")

    @Option(help: "The generator's seed (the same seed, the same cases).")
    var seed: UInt64 = 1

    @Option(help: "Cases per target.")
    var cases = 5000

    @Option(help: "Seconds per target at most (the target stops early, saying so).")
    var seconds = 14.0

    @Option(help: "Comma-separated targets (default: all): \(FuzzTargets.all.map(\.name).joined(separator: ", ")).")
    var targets: String?

    func validate() throws {
        guard cases >= 1 else { throw ValidationError("--cases must be at least 1") }
        guard seconds > 0 else { throw ValidationError("--seconds must be positive") }
        if let targets {
            for name in targets.split(separator: ",") where FuzzTargets.named(String(name)) == nil {
                throw ValidationError("--targets: no target '\(name)' (there are \(FuzzTargets.all.map(\.name).joined(separator: ", ")))")
            }
        }
    }

    func run() throws {
        let chosen = targets.map { $0.split(separator: ",").compactMap { FuzzTargets.named(String($0)) } } ?? FuzzTargets.all
        var failed = false
        for target in chosen {
            // The scratch folder sits five levels down a sandbox, with the working directory
            // beside it: a path that escapes the scratch folder by up to five `..` lands in the
            // sandbox, where `OutsideWatch` sees it, whatever other processes do in /tmp.
            let sandbox = FileManager.default.temporaryDirectory
                .appendingPathComponent("study-fuzz-\(target.name)-\(ProcessInfo.processInfo.processIdentifier)")
            try? FileManager.default.removeItem(at: sandbox)
            let scratch = sandbox.appendingPathComponent("a/b/c/d/scratch"), cwd = sandbox.appendingPathComponent("cwd")
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: cwd, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: sandbox) }
            let previous = FileManager.default.currentDirectoryPath
            FileManager.default.changeCurrentDirectoryPath(cwd.path)
            defer { FileManager.default.changeCurrentDirectoryPath(previous) }
            var rng = Xoshiro256(seed: seed, stream: UInt64(FuzzTargets.all.firstIndex { $0.name == target.name }!))
            let report = FuzzReport(target: target.name, deadline: Date().addingTimeInterval(seconds))
            let start = Date()
            target.run(&rng, cases, scratch, report)
            for e in OutsideWatch.entries(in: sandbox, except: scratch) { report.fail("wrote outside its output folder: \(e)") }
            let secs = Date().timeIntervalSince(start)
            print(String(format: "%@: %d cases in %.1f s: %d accepted, %d refused with a clear error, %d failures%@",
                         target.name, report.cases, secs, report.accepted, report.refused, report.failures.count,
                         report.stoppedEarly ? " (stopped at the time bound)" : ""))
            for f in report.failures.prefix(20) { print("  FAIL \(f)") }
            if !report.failures.isEmpty { failed = true }
        }
        if failed { throw ExitCode(1) }
    }
}

StudyFuzz.main()
