import Base
import Foundation
import Report
import StudyText

extension StudyRunner {
    /// The chapter's section rendered from its template and typed output; nil when the chapter
    /// has no up-to-date output.
    func section<C: Chapter>(_ type: C.Type) throws -> String? {
        let report = reportContext
        guard let output = report.output(of: C.self) else { return nil }
        guard let template = StudyText.template(C.id.rawValue) else {
            throw TemplateError(name: C.id.rawValue, reason: "no template study/chapters/\(C.id.rawValue).md in the build")
        }
        return try renderTemplate(template, named: C.id.rawValue, context: try C.section(output, report))
    }

    /// Renders every chapter's section, writes `report.md`, the self-contained `report.html`,
    /// the notebook `study.ipynb` (`NotebookAssembly.swift`) and `summary.json`; returns the
    /// HTML's URL.
    func assembleReport(reportSeconds: () -> Double, totalSeconds: () -> Double) throws -> URL {
        let out = options.outputDirectory
        var sections: [String] = []
        var timings: [String: Double] = [:]
        var timingRows: [[String]] = []
        var status: [String: String] = [:]
        var notebookChapters: [NotebookChapter] = []
        for type in Chapters.all {
            let id = type.id
            let outcome = outcomes.first { $0.id == id }?.outcome
            if case .notApplicable(let why) = outcome {
                status[id.rawValue] = "not applicable: \(why)"
                sections.append("## \(Int(id.number) ?? 0). \(type.title)\n\n*Not part of this run: \(why).*\n")
                notebookChapters.append(NotebookChapter(id: id, section: sections.last!, outcome: outcome, hasOutput: false))
                continue
            }
            guard let text = try section(type), let seconds = recordSeconds(id) else {
                status[id.rawValue] = "not run"
                sections.append("## \(type.title)\n\n*Not up to date: `study run --from \(id.rawValue)` runs it.*\n")
                notebookChapters.append(NotebookChapter(id: id, section: sections.last!, outcome: outcome, hasOutput: false))
                continue
            }
            notebookChapters.append(NotebookChapter(id: id, section: text, outcome: outcome, hasOutput: true))
            switch outcome {
            case .ran(let reason): status[id.rawValue] = "ran: \(reason)"
            default: status[id.rawValue] = "up to date"
            }
            timings[id.rawValue] = seconds
            timingRows.append([id.rawValue, type.title, Markdown.fixed(seconds, 2)])
            sections.append(text)
        }
        // The digest of the chapters shown (the up-to-date ones), from the files they wrote,
        // before the report: it ends with the digest.
        let (digest, digestProblems) = Reproducibility.digest(output: out, chapters: timings.keys.sorted(), options: options)
        self.digest = digest
        for p in digestProblems { progress.line("digest: not hashed: \(p)") }
        let chapterTotal = timings.values.reduce(0, +)
        timingRows.append(["", "all chapters", Markdown.fixed(chapterTotal, 2)])

        let report = reportContext
        let load = report.output(of: LoadChapter.self)
        let training = report.output(of: TrainingChapter.self)
        let metrics = report.output(of: EvaluationChapter.self)?.metrics
        // Table cells are text (`Markdown.table` escapes them) but for their code spans.
        let corpusText = load.map { l in
            (l.kind == .synthetic ? "synthetic TESS-shaped corpus" : l.corpus.name) + " — \(l.corpus.clips.count) clips, fingerprint "
                + Markdown.code(l.corpus.fingerprint)
        } ?? "n/a"
        let glance = Markdown.table(["", "value"], [
            ["corpus", corpusText],
            ["feature preset", Markdown.code(options.preset)],
            ["seed", String(options.seed)],
            ["input standardisation", options.standardize ? "yes (training-split mean and deviation)" : "no (raw MFCC means, as the notebook)"],
            ["test accuracy (random 80/20 split)", metrics.map { Markdown.fixed($0.accuracy, 4) } ?? "n/a"],
            ["UAR", metrics.map { Markdown.fixed($0.uar, 4) } ?? "n/a"],
            ["epochs (best)", training.map { "\($0.history.count) (\($0.bestEpoch))" } ?? "? (?)"],
        ])
        // The study's name says which corpus it ran on when that is not TESS.
        let studied = load.flatMap { l in l.kind == .synthetic || l.corpus.convention == .tess ? nil : l.corpus.name }
        let heading = studied.map { "# Speech emotion recognition on \(Escape.markdown($0)) — the TESS study's recipe, re-run" }
            ?? "# Speech emotion recognition on TESS — the study, re-run"
        let header = """
        \(heading)

        This report re-runs, chapter by chapter, a well-known notebook that classifies the Toronto
        Emotional Speech Set from 40 MFCC means with a 1-D CNN, and adds what a careful reader would ask
        for: per-class metrics, a speaker-independent test and the spread over seeds. Every number and
        figure below was computed by this run.

        \(glance)

        *Run on \(Escape.markdown(RunEnvironment.describe())) — \(RunEnvironment.timestamp()).
        Libraries: \(Escape.markdown(LibraryVersions.line())).*

        """
        let footer = """
        ## Reproduce this report

        ```sh
        make study                                   # this report, on the embedded synthetic corpus
        .build/release/study run --data ~/TESS       # on your copy of TESS (Kaggle or Dataverse layout)
        .build/release/study run --from 05-training --seed 7 --standardize
        .build/release/study predict my_clip.wav     # classify your own clip with the saved model
        ```

        ### Timings of this run

        \(Markdown.table(["chapter", "", "seconds"], timingRows, align: ["l", "l", "r"]))
        Chapters that were up to date show the time they took when they last ran.

        """
        let closing = footer + "\n" + (try digestSection(digest, problems: digestProblems))
        let markdown = header + "\n" + sections.joined(separator: "\n\n") + "\n\n" + closing
        try writeAtomically(markdown, to: out.appendingPathComponent("report.md"))
        let html = HTMLReport(title: "TESS speech-emotion study", baseDirectory: out).render(markdown: markdown)
        let htmlURL = out.appendingPathComponent("report.html")
        try writeAtomically(html, to: htmlURL)

        timings["report"] = reportSeconds()
        timings["total"] = totalSeconds()
        let summary = StudySummary(report: report, chapters: status, timings: timings, reproducibility: digest)
        // The notebook before the summary: a run that stops between them leaves no summary, and
        // `make notebook` runs the study again.
        try writeNotebook(header: header, chapters: notebookChapters, closing: closing, summary: summary)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try writeAtomically(try encoder.encode(summary), to: out.appendingPathComponent("summary.json"))
        return htmlURL
    }
}

extension StudyRunner {
    /// The values of `study/chapters/reproducibility.md`.
    struct DigestSection {
        var table: String
        var kernels: String
        var kernelsNote: String
        var threads: Int
        var problems: [String]
    }

    /// The report's last section: the digest as a small table. Everything in it comes from this
    /// code but the problems, which name files (from records): shown as code spans
    /// (`Markdown.code`), which the template inserts as they are.
    func digestSection(_ d: ReproducibilityDigest, problems: [String]) throws -> String {
        let name = "reproducibility"
        guard let template = StudyText.template(name) else {
            throw TemplateError(name: name, reason: "no template study/chapters/\(name).md in the build")
        }
        let rows = DigestPart.allCases.map { p in [p.rawValue, d.value(p).map { Markdown.code($0) } ?? "not in this run"] }
        return try renderTemplate(template, named: name, context: DigestSection(
            table: Markdown.table(["part", "SHA-256"], rows), kernels: d.kernels, kernelsNote: d.kernelsNote,
            threads: d.threads, problems: problems.map(Markdown.code)))
    }
}

/// The machine and time of a run, for the report's header.
enum RunEnvironment {
    static func cpuModel() -> String {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "unknown CPU" }
        for line in text.split(separator: "\n") where line.hasPrefix("model name") {
            return line.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown CPU"
        }
        return "unknown CPU"
    }

    static func osName() -> String {
        guard let text = try? String(contentsOfFile: "/etc/os-release", encoding: .utf8) else { return "Linux" }
        for line in text.split(separator: "\n") where line.hasPrefix("PRETTY_NAME=") {
            return line.dropFirst("PRETTY_NAME=".count).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        return "Linux"
    }

    static func describe() -> String {
        let gib = Double(ProcessInfo.processInfo.physicalMemory) / Double(1 << 30)
        return "\(osName()), \(cpuModel()), \(ProcessInfo.processInfo.activeProcessorCount) cores, \(String(format: "%.0f", gib)) GiB"
    }

    static func timestamp() -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: Date())
    }

    static func summary() -> StudySummary.EnvironmentSummary {
        StudySummary.EnvironmentSummary(os: osName(), cpu: cpuModel(), cores: ProcessInfo.processInfo.activeProcessorCount,
                                        memoryGib: Double(ProcessInfo.processInfo.physicalMemory) / Double(1 << 30),
                                        date: timestamp(), libraries: LibraryVersions.all())
    }
}
