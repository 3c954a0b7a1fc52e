import Base
import Foundation

/// `study verify`: recomputes the reproducibility digest of an output folder from its files and
/// compares it with (a) the digest its own `summary.json` recorded, (b) the README's digest
/// (`DefaultRunDigest.readme`) when the folder holds a default run, or instead (c) another
/// output folder (`--against`). Says which of the four parts differ and the first chapter
/// whose outputs differ, and, before anyone blames the CPU, whether the library versions or
/// the options differ.
public enum Verification {
    /// Why a folder cannot be verified (exit status 2): names the file and the problem.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// What verify found: the text to print and whether everything compared was equal.
    public struct Outcome {
        public var text: String
        public var equal: Bool
    }

    /// The fields of `summary.json` verify reads (decoded leniently: the rest may change).
    struct StoredSummary: Decodable {
        var options: RunOptionsSummary?
        var reproducibility: ReproducibilityDigest?
        var environment: Environment?
        struct Environment: Decodable { var cpu: String? }
    }

    /// An output folder with its summary and its digest recomputed from its files.
    struct Run {
        var folder: URL
        /// The folder as the user named it, for messages.
        var shown: String
        var summary: StoredSummary
        var recorded: ReproducibilityDigest
        var computed: ComputedDigest
    }

    static func load(_ folder: URL, shown: String) throws -> Run {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDir) else {
            throw Failure(description: "\(shown): no such folder; `study run --output \(shown)` writes a run there")
        }
        guard isDir.boolValue else { throw Failure(description: "\(shown): is a file, not an output folder") }
        let summaryURL = folder.appendingPathComponent("summary.json")
        let summaryShown = (shown as NSString).appendingPathComponent("summary.json")
        guard let data = FileManager.default.contents(atPath: summaryURL.path) else {
            throw Failure(description: "\(summaryShown): missing; the folder holds no finished run (`study run --output \(shown)` writes it at the end of a run)")
        }
        let summary: StoredSummary
        do { summary = try JSONDecoder().decode(StoredSummary.self, from: data) } catch {
            throw Failure(description: "\(summaryShown): not a summary of this study (\(error))")
        }
        guard let recorded = summary.reproducibility else {
            throw Failure(description: "\(summaryShown): has no reproducibility digest (written by a study older than the digest); re-run `study run --output \(shown)`")
        }
        let computed = Reproducibility.compute(output: folder, chapters: recorded.chapters.keys.sorted())
        return Run(folder: folder, shown: shown, summary: summary, recorded: recorded, computed: computed)
    }

    /// Verifies `output`, alone (against its summary and, for a default run, the README's
    /// digest) or `against` another folder. `readme` is there for tests.
    public static func verify(output: URL, shown: String, against: URL? = nil, againstShown: String? = nil) throws -> Outcome {
        try verify(output: output, shown: shown, against: against, againstShown: againstShown, readme: DefaultRunDigest.readme)
    }

    static func verify(output: URL, shown: String, against: URL?, againstShown: String?, readme: DefaultRunDigest?) throws -> Outcome {
        let run = try load(output, shown: shown)
        let other = try against.map { try load($0, shown: againstShown ?? $0.path) }
        var lines: [String] = []
        var equal = true

        lines.append("\(run.shown): kernels \(run.recorded.kernels), threads \(run.recorded.threads)"
                     + (run.summary.environment?.cpu.map { ", made on \($0)" } ?? ""))
        lines.append("  recomputed from the files: " + shortParts(run.computed.parts))
        let runIntact = selfCheck(run, into: &lines)
        equal = runIntact && equal
        // A side whose files changed after its run explains a difference better than any CPU.
        var changed = runIntact ? [] : [run.shown]

        if let other {
            lines.append("")
            lines.append("\(other.shown): kernels \(other.recorded.kernels), threads \(other.recorded.threads)"
                         + (other.summary.environment?.cpu.map { ", made on \($0)" } ?? ""))
            lines.append("  recomputed from the files: " + shortParts(other.computed.parts))
            let otherIntact = selfCheck(other, into: &lines)
            equal = otherIntact && equal
            if !otherIntact { changed.append(other.shown) }
            lines.append("")
            lines.append("\(run.shown) against \(other.shown):")
            let optionDiffs = optionDifferences(run.summary.options, other.summary.options, otherName: other.shown)
            let libraryDiffs = libraryDifferences(run.recorded.libraries, other.recorded.libraries,
                                                  names: (run.shown, other.shown))
            equal = compare(run.computed.values, other.computed.values, names: (run.shown, other.shown),
                            options: optionDiffs, libraries: libraryDiffs,
                            kernels: [run.recorded.kernels, other.recorded.kernels], changed: changed,
                            files: { id in fileDifferences(run.folder, other.folder, chapter: id) },
                            into: &lines) && equal
        } else {
            lines.append("")
            // The README's digest applies to a default run only.
            let differences = run.summary.options?.differencesFromDefault()
            switch (differences, readme) {
            case (nil, _):
                lines.append("the README's default run: not compared (\(run.shown)/summary.json records no options)")
            case (let d?, _) where !d.isEmpty:
                lines.append("the README's default run: not compared: not a default run (\(d.joined(separator: ", "))); compare two runs with --against")
            case (_, nil):
                lines.append("the README's default run: not compared: this build holds no README digest yet (DefaultRunDigest.readme is a placeholder)")
            case (_, let readme?):
                lines.append("\(run.shown) against the README's default run (made on \(readme.cpu)):")
                let libraryDiffs = libraryDifferences(run.recorded.libraries, readme.libraries, names: (run.shown, "README"))
                equal = compare(run.computed.values, readme.values, names: (run.shown, "README"),
                                options: [], libraries: libraryDiffs, kernels: [run.recorded.kernels], changed: changed,
                                files: { _ in nil }, into: &lines) && equal
            }
            // The folder may come from another machine, or the libraries changed since the run.
            let here = libraryDifferences(run.recorded.libraries, LibraryVersions.reproducibility(), names: (run.shown, "this machine"))
            if !here.isEmpty {
                lines.append("note: this machine's libraries differ from the run's (a re-run here may differ for that reason):")
                lines += here.map { "    " + $0 }
            }
        }
        lines.append("")
        lines.append(equal ? "equal" : "different")
        return Outcome(text: lines.joined(separator: "\n") + "\n", equal: equal)
    }

    static func shortParts(_ parts: [DigestPart: String]) -> String {
        DigestPart.allCases.map { p in "\(p.rawValue) \(parts[p].map { String($0.prefix(8)) + "…" } ?? "n/a")" }.joined(separator: " ")
    }

    /// The files against the digest the run recorded in its own summary.
    static func selfCheck(_ run: Run, into lines: inout [String]) -> Bool {
        let summaryShown = (run.shown as NSString).appendingPathComponent("summary.json")
        for p in run.computed.problems { lines.append("  cannot hash: \(p)") }
        let recorded = run.recorded.values, computed = run.computed.values
        if recorded == computed && run.computed.problems.isEmpty {
            lines.append("  against \(summaryShown): equal (the files are those the run hashed)")
            return true
        }
        lines.append("  against \(summaryShown): different: the files changed since the run hashed them")
        lines += partLines(computed, recorded, names: (run.shown, summaryShown))
        if let id = firstDifferingChapter(computed, recorded) {
            let changed = Reproducibility.changedSinceRecord(output: run.folder, chapter: id)
            lines.append("    first chapter whose outputs differ: \(id)"
                         + (changed.isEmpty ? "" : " (changed since the run: \(listed(changed)))"))
        }
        return false
    }

    /// Compares two digests; appends the lines; true when equal.
    static func compare(_ a: DigestValues, _ b: DigestValues, names: (String, String), options: [String], libraries: [String],
                        kernels: [String], changed: [String], files: (String) -> [String]?, into lines: inout [String]) -> Bool {
        // First what could explain a difference without any CPU: options, then libraries.
        lines.append(options.isEmpty ? "    options: the same" : "    options differ (different bits are expected): " + options.joined(separator: ", "))
        if libraries.isEmpty {
            lines.append("    library versions: the same")
        } else {
            lines.append("    library versions differ:")
            lines += libraries.map { "      " + $0 }
        }
        if a == b {
            lines.append("    features, model, predictions, figures and every chapter: equal")
            return true
        }
        lines += partLines(a, b, names: names)
        if let id = firstDifferingChapter(a, b) {
            let detail = files(id).map { $0.isEmpty ? "" : " (\(listed($0)))" } ?? ""
            lines.append("    first chapter whose outputs differ: \(id)\(detail)")
        }
        let firstPart = DigestPart.allCases.first { a.parts[$0] != b.parts[$0] }
        // Chapters one side has and the other not: a run stopped early or made with --only.
        let onlyB = b.chapters.keys.filter { a.chapters[$0] == nil }.sorted(), onlyA = a.chapters.keys.filter { b.chapters[$0] == nil }.sorted()
        if !changed.isEmpty {
            lines.append("    the files of \(changed.joined(separator: " and ")) changed after the run (above): re-run it before comparing")
        } else if !options.isEmpty {
            lines.append("    the options differ: the runs are not meant to give the same bits")
        } else if !onlyA.isEmpty || !onlyB.isEmpty {
            let (side, ids) = onlyB.isEmpty ? (names.1, onlyA) : (names.0, onlyB)
            lines.append("    \(side) lacks \(ids.joined(separator: ", ")) (not up to date in its run): `study run` completes it before a comparison")
        } else if kernels.contains(Arithmetic.native.rawValue) {
            lines.append("    --kernels native ran: its bits are reproducible on one CPU type only")
        } else if !libraries.isEmpty {
            lines.append("    the library versions differ: check them before the CPU (another version may round differently)")
        } else if firstDifferingChapter(a, b) == ChapterID.load.rawValue {
            // The clips themselves differ: for the synthetic corpus, espeak-ng's output (README,
            // "Reproducibility": a rare, not yet explained difference in the breathy voice's clips).
            lines.append("    same options, same library versions: the corpus itself differs (chapter 01-load). For the synthetic "
                         + "corpus that is espeak-ng's output: a rare difference in one voice's clips is known and not yet explained "
                         + "(README, \"Reproducibility\"); synthesise it again (delete the output folder's corpus-synthetic) and re-run")
        } else {
            lines.append("    same options, same library versions, deterministic kernels: the difference entered in "
                         + "\(firstPart.map { "the \($0.rawValue)" } ?? "a chapter's files"). Expected on CPUs without AVX2 and FMA, on aarch64 "
                         + "or macOS (close, not identical); on x86-64 with AVX2 and FMA, please report it with both summary.json files")
        }
        return false
    }

    static func partLines(_ a: DigestValues, _ b: DigestValues, names: (String, String)) -> [String] {
        DigestPart.allCases.map { p in
            let state: String
            switch (a.parts[p], b.parts[p]) {
            case let (x?, y?): state = x == y ? "equal" : "differs"
            case (nil, nil): state = "in neither"
            case (nil, _): state = "missing from \(names.0)"
            case (_, nil): state = "missing from \(names.1)"
            }
            return "    " + p.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0) + state
        }
    }

    /// The first chapter, in running order, whose digest differs or is in one side only.
    static func firstDifferingChapter(_ a: DigestValues, _ b: DigestValues) -> String? {
        let ids = Set(a.chapters.keys).union(b.chapters.keys)
        let order: [String] = Chapters.all.map { $0.id.rawValue }
        func rank(_ id: String) -> Int { order.firstIndex(of: id) ?? order.count }
        let sorted = ids.sorted { x, y in rank(x) != rank(y) ? rank(x) < rank(y) : Reproducibility.bytewise(x, y) }
        return sorted.first { a.chapters[$0] != b.chapters[$0] }
    }

    /// The entries of chapter `id` that differ between two folders (nil when unreadable).
    static func fileDifferences(_ a: URL, _ b: URL, chapter id: String) -> [String]? {
        guard let x = Reproducibility.entryDigests(output: a, chapter: id),
              let y = Reproducibility.entryDigests(output: b, chapter: id) else { return nil }
        return Set(x.keys).union(y.keys).filter { x[$0] != y[$0] }.sorted(by: Reproducibility.bytewise)
    }

    /// At most five names, then how many more.
    static func listed(_ names: [String]) -> String {
        names.prefix(5).joined(separator: ", ") + (names.count > 5 ? " and \(names.count - 5) more" : "")
    }

    /// Options that change the bits and differ, or why they cannot be compared.
    static func optionDifferences(_ a: RunOptionsSummary?, _ b: RunOptionsSummary?, otherName: String) -> [String] {
        guard let a, let b else { return ["unknown (a summary records no options)"] }
        return a.differences(from: b, otherName: otherName)
    }

    /// Library versions that differ, as "openblas: A (first) vs B (second)". OpenBLAS's build
    /// line names the kernel class it picked for the CPU: only `--kernels native` uses it.
    static func libraryDifferences(_ a: [String: String], _ b: [String: String], names: (String, String)) -> [String] {
        Set(a.keys).union(b.keys).sorted().compactMap { key in
            let x = a[key] ?? "absent", y = b[key] ?? "absent"
            guard x != y else { return nil }
            var line = "\(key): \(x) (\(names.0)) vs \(y) (\(names.1))"
            if key == "openblas", openBLASVersion(x) != nil, openBLASVersion(x) == openBLASVersion(y) {
                line += "; the same version, another kernel class or build (used by --kernels native only)"
            }
            return line
        }
    }

    /// "0.3.21" from "OpenBLAS 0.3.21 DYNAMIC_ARCH …".
    static func openBLASVersion(_ s: String) -> String? {
        let words = s.split(separator: " ")
        guard words.count >= 2, words[0] == "OpenBLAS" else { return nil }
        return String(words[1])
    }

    /// `DefaultRunDigest.swiftLiteral` for the run in `output`: what replaces the placeholder.
    public static func defaultDigestLiteral(output: URL, shown: String) throws -> String {
        let run = try load(output, shown: shown)
        guard run.computed.problems.isEmpty, run.computed.values == run.recorded.values else {
            throw Failure(description: "\(shown): its files differ from its summary's digest; `study verify --output \(shown)` says where")
        }
        if let d = run.summary.options?.differencesFromDefault(), !d.isEmpty {
            throw Failure(description: "\(shown): not a default run (\(d.joined(separator: ", "))): the README's digest is the default run's")
        }
        return DefaultRunDigest.swiftLiteral(run.recorded, cpu: run.summary.environment?.cpu ?? "unknown CPU")
    }
}
