import Base
import Foundation
import Report
import StudyText

extension StudyRunner {
    /// Renders every chapter's template with its record, writes `report.md`, the
    /// self-contained `report.html` and `summary.json`; returns the HTML's URL.
    func assembleReport(_ ctx: StudyContext, reportSeconds: () -> Double, totalSeconds: () -> Double) throws -> URL {
        let out = options.outputDirectory
        var sections: [String] = []
        var timings: [String: Double] = [:]
        var timingRows: [[String]] = []
        for id in ChapterID.allCases {
            guard let record = ctx.records[id] else {
                sections.append("## \(id.title)\n\n*Not run yet: `study run --from \(id.rawValue)`.*\n")
                continue
            }
            timings[id.rawValue] = record.seconds
            timingRows.append([id.rawValue, id.title, Markdown.fixed(record.seconds, 2)])
            guard let template = StudyText.template(id.rawValue) else {
                throw TemplateError(name: id.rawValue, reason: "no template study/chapters/\(id.rawValue).md in the build")
            }
            var context = record.output.context
            context["chapter"] = id.rawValue
            context["title"] = id.title
            context["seconds"] = context["seconds"] ?? Markdown.fixed(record.seconds, 2)
            context["chapter_seconds"] = Markdown.fixed(record.seconds, 2)
            sections.append(try renderTemplate(template, named: id.rawValue, context: context))
        }
        let chapterTotal = timings.values.reduce(0, +)
        timingRows.append(["", "all chapters", Markdown.fixed(chapterTotal, 2)])

        let s = { (id: ChapterID) in ctx.records[id]?.output.summary ?? [:] }
        let load = s(.load), training = s(.training), evaluation = s(.evaluation), features = s(.features), beyond = s(.beyond)
        let glance = Markdown.table(["", "value"], [
            ["corpus", (load["kind"] as? String == "synthetic" ? "synthetic TESS-shaped corpus" : "TESS") + " — \(load["n_files"] ?? "?") clips, fingerprint `\(load["fingerprint"] ?? "?")`"],
            ["feature preset", "`\(options.preset)`"],
            ["seed", String(options.seed)],
            ["input standardisation", options.standardize ? "yes (training-split mean and deviation)" : "no (raw MFCC means, as the notebook)"],
            ["test accuracy (random 80/20 split)", (evaluation["test_accuracy"] as? Double).map { Markdown.fixed($0, 4) } ?? "n/a"],
            ["UAR", (evaluation["uar"] as? Double).map { Markdown.fixed($0, 4) } ?? "n/a"],
            ["epochs (best)", "\(training["epochs_run"] ?? "?") (\(training["best_epoch"] ?? "?"))"],
        ])
        let header = """
        # Speech emotion recognition on TESS — the study, re-run

        This report re-runs, chapter by chapter, a well-known notebook that classifies the Toronto
        Emotional Speech Set from 40 MFCC means with a 1-D CNN, and adds what a careful reader would ask
        for: per-class metrics, a speaker-independent test and the spread over seeds. Every number and
        figure below was computed by this run.

        \(glance)

        *Run on \(RunEnvironment.describe()) — \(RunEnvironment.timestamp()).
        Libraries: \(LibraryVersions.line()).*

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
        let markdown = header + "\n" + sections.joined(separator: "\n\n") + "\n\n" + footer
        try writeAtomically(markdown, to: out.appendingPathComponent("report.md"))
        let html = HTMLReport(title: "TESS speech-emotion study", baseDirectory: out).render(markdown: markdown)
        let htmlURL = out.appendingPathComponent("report.html")
        try writeAtomically(html, to: htmlURL)

        timings["report"] = reportSeconds()
        timings["total"] = totalSeconds()
        let summary: [String: Any] = [
            "corpus": ["kind": load["kind"] ?? NSNull(), "root": load["root"] ?? NSNull(), "n_files": load["n_files"] ?? 0,
                       "n_skipped": load["n_skipped"] ?? 0, "n_duplicates": load["n_duplicates"] ?? 0,
                       "label_counts": load["label_counts"] ?? [:], "fingerprint": load["fingerprint"] ?? NSNull()],
            "preset": options.preset,
            "seed": options.seed,
            "standardize": options.standardize,
            "features": ["n": features["n"] ?? 0, "seconds": features["seconds"] ?? 0, "n_failures": features["n_failures"] ?? 0],
            "training": training,
            "evaluation": evaluation,
            "speaker_independent": beyond["speaker_independent"] ?? [:],
            "repeats": beyond["repeats"] ?? ["n": 0],
            "timings_s": timings,
            "environment": RunEnvironment.dictionary(),
        ]
        let data = try JSONSerialization.data(withJSONObject: jsonSafe(summary), options: [.prettyPrinted, .sortedKeys])
        try writeAtomically(data, to: out.appendingPathComponent("summary.json"))
        return htmlURL
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

    static func dictionary() -> [String: Any] {
        ["os": osName(), "cpu": cpuModel(), "cores": ProcessInfo.processInfo.activeProcessorCount,
         "memory_gib": Double(ProcessInfo.processInfo.physicalMemory) / Double(1 << 30), "date": timestamp(),
         "libraries": LibraryVersions.all()]
    }
}
