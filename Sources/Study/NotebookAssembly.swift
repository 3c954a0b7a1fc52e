import Base
import Foundation
import Report

/// `study.ipynb`, written with the report (issue 25): the report's header as a Markdown cell; a
/// Python cell that finds the `study` executable; per chapter its text as a Markdown cell and a
/// `%%bash` cell that re-runs exactly that chapter with this run's options, holding the chapter's
/// results as outputs (its log lines, tables, figures, players); the report's closing sections
/// as a last Markdown cell. The run's options, digest and corpus go into the metadata.
///
/// Paths: the cells name only what the command line gave (`--output`, `--data`,
/// `--corpus-cache`, as given); log lines lose the prefix of the folder the run started in.
/// The setup cell finds that folder again from the notebook's own (`<run folder>/<--output>/study.ipynb`).
extension StudyRunner {
    /// One chapter as the report showed it.
    struct NotebookChapter {
        var id: ChapterID
        /// Its report section (the "not part of this run" or "not up to date" note when it has none).
        var section: String
        var outcome: Outcome?
        /// Whether the section shows the chapter's output (false: a note).
        var hasOutput: Bool
    }

    /// Writes `<output>/study.ipynb` atomically.
    func writeNotebook(header: String, chapters: [NotebookChapter], closing: String, summary: StudySummary) throws {
        let notebook = try makeNotebook(header: header, chapters: chapters, closing: closing, summary: summary)
        try writeAtomically(try notebook.json(), to: options.outputDirectory.appendingPathComponent("study.ipynb"))
    }

    func makeNotebook(header: String, chapters: [NotebookChapter], closing: String, summary: StudySummary) throws -> Notebook {
        let renderer = HTMLReport(title: "", baseDirectory: options.outputDirectory)
        var cells: [Notebook.Cell] = [.markdown(id: "header", source: header), .code(id: "setup", source: setupSource, executionCount: nil, outputs: [])]
        var count = 0
        for c in chapters {
            let id = c.id.rawValue
            if case .notApplicable = c.outcome {
                cells.append(.markdown(id: Notebook.cellID(id + "-text"), source: c.section))
                continue
            }
            guard c.hasOutput else {
                cells.append(.markdown(id: Notebook.cellID(id + "-text"), source: c.section))
                cells.append(.code(id: Notebook.cellID(id + "-run"), source: chapterSource(c.id), executionCount: nil, outputs: []))
                continue
            }
            let section = NotebookSection(markdown: c.section, renderer: renderer)
            count += 1
            cells.append(.markdown(id: Notebook.cellID(id + "-text"), source: section.markdown))
            cells.append(.code(id: Notebook.cellID(id + "-run"), source: chapterSource(c.id), executionCount: count,
                               outputs: [.stream(name: "stdout", text: logText(c))] + section.outputs))
        }
        cells.append(.markdown(id: "reproduce", source: closing))

        var metadata = Notebook.python3Metadata
        var runOptions = RunOptionsSummary(options)
        runOptions.data = options.dataDirectories.map(\.relativePath)
        var study: [String: JSONValue] = [
            "code_version": .string(studyCodeVersion),
            "arguments": .array(runArguments.map(JSONValue.string)),
            "options": try JSONValue(encoding: runOptions),
            "chapters": try JSONValue(encoding: summary.chapters),
            "date": .string(summary.environment.date),
        ]
        if let corpus = summary.corpus {
            study["corpus"] = ["kind": .string(corpus.kind), "name": .string(corpus.name), "clips": .int(corpus.nFiles),
                               "fingerprint": .string(corpus.fingerprint)]
        }
        if let digest = summary.reproducibility { study["digest"] = try JSONValue(encoding: digest) }
        metadata["study"] = .object(study)
        return Notebook(cells: cells, metadata: metadata)
    }

    /// The chapter's cell: `study run --only <chapter>` with this run's options.
    func chapterSource(_ id: ChapterID) -> String {
        let words = ["\"$STUDY\"", "run", "--only", id.rawValue] + runArguments.map(Escape.shellWord) + ["2>&1"]
        return "%%bash\n" + words.joined(separator: " ") + "\n"
    }

    /// This run's options as `study run` arguments: paths as the command line gave them, the
    /// options that shape the results always, the others when they are not the default.
    var runArguments: [String] {
        let o = options
        let d = StudyOptions()
        var a = ["--output", o.outputDirectory.relativePath]
        for url in o.dataDirectories { a += ["--data", url.relativePath] }
        if o.dataDirectories.isEmpty { a += ["--words", String(o.syntheticWords)] }
        if let cache = o.corpusCache { a += ["--corpus-cache", cache.relativePath] }
        a += ["--preset", o.preset, "--seed", String(o.seed), "--epochs", String(o.epochs)]
        if o.recipe.standardization != .none {
            a.append("--standardize")
            if o.recipe.standardization != StudyOptions.defaultStandardization { a += ["--standardization", o.recipe.standardization.rawValue] }
        }
        if o.repeats != d.repeats { a += ["--repeats", String(o.repeats)] }
        if o.ladder != d.ladder { a += ["--ladder", o.ladder.rawValue] }
        if o.featureSets != d.featureSets { a += ["--features", o.featureSets.joined(separator: ",")] }
        if o.models != d.models { a += ["--models", o.models.joined(separator: ",")] }
        if o.kernels != d.kernels { a += ["--kernels", o.kernels.rawValue] }
        if o.conv != d.conv { a += ["--conv", o.conv.rawValue] }
        if o.clipLimits.maxBytes != d.clipLimits.maxBytes { a += ["--max-clip-mb", String(o.clipLimits.maxBytes >> 20)] }
        if o.clipLimits.maxSeconds != d.clipLimits.maxSeconds { a += ["--max-clip-seconds", String(o.clipLimits.maxSeconds)] }
        if o.threads != d.threads { a += ["--threads", String(o.threads)] }
        return a
    }

    /// The chapter's log lines of this run, or why it did not run.
    func logText(_ c: NotebookChapter) -> String {
        var lines = chapterLogs[c.id] ?? []
        switch c.outcome {
        case .upToDate?:
            lines.append("(not re-run: its record matched this run's options and files; the outputs below are from the run that wrote it)")
        case .skipped?:
            lines.append("\(c.id): not part of this run (--only \(options.only?.rawValue ?? "?")); its record still matches, so the outputs below are from the run that wrote it")
        default: break
        }
        let cwd = FileManager.default.currentDirectoryPath
        return lines.map { cwd.count > 1 ? $0.replacingOccurrences(of: cwd + "/", with: "") : $0 }.joined(separator: "\n") + "\n"
    }

    /// How many folders up from the notebook's the run started: `--output` relative, without
    /// `..`; nil otherwise (the setup cell then runs the chapters in the project it finds).
    var levelsUp: Int? {
        let path = options.outputDirectory.relativePath
        guard !path.hasPrefix("/") else { return nil }
        let parts = path.split(separator: "/").filter { $0 != "." }
        return parts.contains("..") ? nil : parts.count
    }

    /// The first code cell: finds the executable and the folder the run started in.
    var setupSource: String {
        """
        # Finds the study executable: $STUDY, else .build/release/study of the project this notebook
        # sits in, else `study` on PATH. The chapters below run in the folder the study ran in (their
        # paths are relative to it), found from this notebook's: <that folder>/<--output>/study.ipynb.
        import os, pathlib, shutil

        notebook_dir = pathlib.Path(globals().setdefault("_study_notebook_dir", os.getcwd())).resolve()
        output = \(Self.python(options.outputDirectory.relativePath))  # --output of the run that wrote this notebook
        levels_up = \(levelsUp.map(String.init) ?? "None")  # folders from the notebook's up to the run's (None: not known)
        run_dir = None
        if levels_up is not None and levels_up <= len(notebook_dir.parents):
            run_dir = notebook_dir.parents[levels_up - 1] if levels_up else notebook_dir
        looked, study = [], None
        if os.environ.get("STUDY"):
            study = shutil.which(os.environ["STUDY"])
            looked.append(f"$STUDY = {os.environ['STUDY']}: " + ("found" if study else "not an executable"))
            if not study:
                raise FileNotFoundError("\\n  ".join(["$STUDY names no executable:"] + looked))
        for project in dict.fromkeys(p for p in (run_dir, notebook_dir, notebook_dir.parent) if p is not None):
            if study:
                break
            candidate = project / ".build" / "release" / "study"
            if os.access(candidate, os.X_OK):
                study, run_dir = str(candidate), run_dir or project
            looked.append(f"{candidate}: " + ("found" if study else "not there"))
        if not study:
            study = shutil.which("study")
            looked.append("study on PATH: " + (study or "not found"))
        print("Looked for the study executable:", *looked, sep="\\n  ")
        if not study:
            raise FileNotFoundError("no study executable: run `make build` in the project, or set STUDY=/path/to/study")
        os.environ["STUDY"] = study
        os.chdir(run_dir or notebook_dir)
        print("STUDY =", study)
        print("The chapters run in", os.getcwd())

        """
    }

    /// `s` as a Python string literal: its JSON string, which Python reads as the same string
    /// (JSON's escapes are Python's; control characters come out as \uXXXX).
    static func python(_ s: String) -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.withoutEscapingSlashes]
        return (try? e.encode(s)).map { String(decoding: $0, as: UTF8.self) } ?? "\"\""
    }
}
