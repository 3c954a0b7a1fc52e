import Base
import Corpus
import Foundation
import Report
import StudyText
import TestSupport
import XCTest
@testable import Study

/// Issue 22, item 2: a corpus whose speakers, texts and file names are script injections gets a
/// report that shows them as text. `report.html` holds no tag, attribute or URL the data made
/// (checked without a browser: every tag and attribute of the file against the few the report
/// uses), and `report.md` no raw HTML but the report's own audio players.
final class ReportInjectionTests: XCTestCase {
    static let script = "<script>alert(1)</script>"
    static let img = "\"><img src=x onerror=alert(1)>"
    static let hostile = [script, img, "javascript:alert(1)", "[x](javascript:alert(1))", "| a | b |"]

    var dir: URL!

    override func setUpWithError() throws {
        dir = try SharedData.temporaryDirectory("injection")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: dir)
    }

    /// A field of a CSV line, quoted (RFC 4180).
    static func csv(_ field: String) -> String { "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

    /// `<dir>/hostile`: 5 speakers (the injection strings) × 3 emotions × 2 texts (injection
    /// strings too) of 1.6 s tones, each file named after an injection string, listed in
    /// `manifest.csv`; and one file it does not list, so that the skipped-files table names it.
    func hostileCorpus() throws -> URL {
        let root = dir.appendingPathComponent("hostile")
        let fm = FileManager.default
        var manifest = "path,label,speaker,text\n"
        var n = 0
        for (s, speaker) in Self.hostile.enumerated() {
            for (l, label) in ["angry", "happy", "sad"].enumerated() {
                for t in 0..<2 {
                    n += 1
                    // `<script>alert(1)</script> 7.wav` is a file in the folder `<script>alert(1)<`.
                    let path = "clips/\(Self.hostile[n % Self.hostile.count]) \(n).wav"
                    let url = root.appendingPathComponent(path)
                    try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                    try EndToEndTests.sineWAV(seconds: 1.6, rate: 16000, frequency: 150 + 60 * Double(l) + 9 * Double(s) + 4 * Double(t))
                        .write(to: url)
                    manifest += [path, label, speaker, Self.hostile[(s + t + 1) % Self.hostile.count]].map(Self.csv).joined(separator: ",") + "\n"
                }
            }
        }
        try manifest.write(to: root.appendingPathComponent("manifest.csv"), atomically: true, encoding: .utf8)
        try EndToEndTests.sineWAV(seconds: 1, rate: 16000).write(to: root.appendingPathComponent("clips/\(Self.img).wav"))
        return root
    }

    /// The whole study, in-process, on the hostile corpus (1 epoch, no ladder): both reports.
    func testHostileManifestGivesAReportWithoutInjectedMarkup() throws {
        var o = StudyOptions()
        o.dataDirectory = try hostileCorpus()
        o.outputDirectory = dir.appendingPathComponent("output")
        o.epochs = 1
        o.ladder = .off
        o.featureSets = StudyTestFeatures.sets
        o.quiet = true
        o.preset = "librosa"
        let runner = StudyRunner(options: o)
        try runner.run()
        let html = try String(contentsOf: o.outputDirectory.appendingPathComponent("report.html"), encoding: .utf8)
        let md = try String(contentsOf: o.outputDirectory.appendingPathComponent("report.md"), encoding: .utf8)
        Self.assertNoInjectedMarkup(html: html, markdown: md)
        // The data is there, as text: the speakers in chapter 2's table header and headings…
        XCTAssertTrue(html.contains("<th align=\"right\">&lt;script&gt;alert(1)&lt;/script&gt;</th>"), "a speaker as a column header")
        XCTAssertTrue(md.contains("| &quot;&gt;&lt;img src=x onerror=alert(1)&gt; |"), "a speaker in a Markdown table")
        XCTAssertTrue(html.contains("<strong>&lt;script&gt;alert(1)&lt;/script&gt;</strong>"), "a speaker in bold")
        XCTAssertTrue(html.contains("<th align=\"right\">[x](javascript:alert(1))</th>"), "brackets and parentheses as text")
        XCTAssertTrue(html.contains("<th align=\"right\">| a | b |</th>"), "pipes as text")
        // …the file names as code, the unlisted one in the skipped-files table…
        XCTAssertTrue(html.contains("<code>clips/&quot;&gt;&lt;img src=x onerror=alert(1)&gt;.wav</code>")
                      || html.contains("<code>clips/\"&gt;&lt;img src=x onerror=alert(1)&gt;.wav</code>"), "the unlisted file")
        XCTAssertTrue(md.contains("`clips/\(Self.img).wav` | not listed in manifest.csv"), "a code span in the skipped table")
        // …and the figures and players still embedded.
        XCTAssertTrue(html.contains("<img src=\"data:image/png;base64,"))
        XCTAssertTrue(html.contains("<audio controls preload=\"none\" src=\"data:audio/wav;base64,"))
        XCTAssertNil(html.range(of: #"src="(?!data:)"#, options: .regularExpression), "every figure and clip was found and embedded")

        // The notebook of the same run (issue 25): well-formed, and the data in it as text.
        try NotebookChecks.assertWellFormed(runner: runner, given: [o.outputDirectory.path, o.dataDirectory!.path], temporaryRoot: dir.path)
        let notebook = try String(contentsOf: o.outputDirectory.appendingPathComponent("study.ipynb"), encoding: .utf8)
        XCTAssertTrue(notebook.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "a speaker, escaped")
        XCTAssertTrue(notebook.contains("<th align=\\\"right\\\">&lt;script&gt;alert(1)&lt;/script&gt;</th>"), "a speaker in an HTML table output")
    }

    /// Labels from data (a manifest's must name an emotion; another corpus's need not): the
    /// load, EDA and target chapters' sections rendered from a run's outputs with the labels
    /// and their display names replaced by injection strings, through the real templates.
    func testHostileLabelsInTheSectionsThatShowThem() throws {
        var o = StudyOptions()
        o.dataDirectory = try RunnerTests.toneCorpus(in: dir)
        o.outputDirectory = dir.appendingPathComponent("output")
        o.quiet = true
        // Chapters 1–3: `--only 02-eda` (after 01-load), then `--only 03-target-distribution`.
        o.only = .eda
        try StudyRunner(options: o).run()
        o.only = .targets
        let runner = StudyRunner(options: o)
        try runner.run()
        let report = runner.reportContext
        var load = try XCTUnwrap(report.output(of: LoadChapter.self))
        var eda = try XCTUnwrap(report.output(of: EDAChapter.self))
        var target = try XCTUnwrap(report.output(of: TargetChapter.self))
        let codes = load.corpus.labelCodes
        let bad = Dictionary(uniqueKeysWithValues: codes.enumerated().map { ($0.element, Self.hostile[$0.offset % Self.hostile.count] + " \($0.offset)") })
        func relabel(_ l: CorpusLabel) -> CorpusLabel { CorpusLabel(code: bad[l.code]!, displayName: Self.hostile.reversed()[0] + l.code) }
        load.corpus.name = Self.script
        load.corpus.labels = load.corpus.labels.map(relabel)
        for i in load.corpus.clips.indices { load.corpus.clips[i].label = bad[load.corpus.clips[i].label]! }
        eda.counts = Dictionary(uniqueKeysWithValues: eda.counts.map { (bad[$0.key]!, $0.value) })
        eda.durationGroups = eda.durationGroups.map { g in EDAChapter.DurationGroup(group: bad[g.group] ?? g.group, stats: g.stats) }
        for i in eda.examples.indices { eda.examples[i].label = bad[eda.examples[i].label]! }
        target.labels = target.labels.map(relabel)
        let hostileReport = ReportContext(options: o, outputs: [LoadChapter.id: load, EDAChapter.id: eda, TargetChapter.id: target])
        func render<C: Chapter>(_ type: C.Type, _ output: C.Output) throws -> String {
            try renderTemplate(try XCTUnwrap(StudyText.template(C.id.rawValue)), named: C.id.rawValue,
                               context: try C.section(output, hostileReport))
        }
        let md = "# Report\n\n" + [try render(LoadChapter.self, load), try render(EDAChapter.self, eda),
                                   try render(TargetChapter.self, target)].joined(separator: "\n\n")
        let html = HTMLReport(title: "T", baseDirectory: o.outputDirectory).render(markdown: md)
        Self.assertNoInjectedMarkup(html: html, markdown: md)
        XCTAssertTrue(html.contains(">| a | b |angry</h4>"), "a label's name as a heading")
        XCTAssertTrue(html.contains("alt=\"waveform &lt;script&gt;alert(1)&lt;/script&gt; 0 OAF\""), "a label in an image's alt text")
        XCTAssertTrue(html.contains("<td>&lt;script&gt;alert(1)&lt;/script&gt; 0 (| a | b |angry)</td>"), "a label and its name in a cell")
    }

    /// No markup from data in either report (`InjectedMarkup`), and its Content-Security-Policy.
    static func assertNoInjectedMarkup(html: String, markdown: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(InjectedMarkup.problems(html: html, minimumTags: 20), [], "report.html", file: file, line: line)
        XCTAssertEqual(InjectedMarkup.problems(markdown: markdown), [], "report.md", file: file, line: line)
        XCTAssertTrue(html.contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';"),
                      "report.html has its Content-Security-Policy", file: file, line: line)
    }
}
