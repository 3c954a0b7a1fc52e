import Foundation
import TestSupport
import XCTest
@testable import Study

/// Issue 25: the structure of the `study.ipynb` a run wrote, checked without Python against
/// nbformat 4.5's rules (required keys, cell ids), the PNG signature and the run itself (its
/// chapters, the figures of its `report.html`). `make test-notebook` checks the same notebook
/// kind with nbformat and nbconvert themselves. Called from a test that has run the study
/// (`ReportInjectionTests`: the hostile corpus), so that it costs no run of its own.
enum NotebookChecks {
    nonisolated(unsafe) static let idPattern = #/[a-zA-Z0-9\-_]{1,64}/#

    /// `given`: the paths the run's options named (its "command line"); `temporaryRoot`: a
    /// folder no other part of the notebook may name.
    static func assertWellFormed(runner: StudyRunner, given: [String], temporaryRoot: String,
                                 file: StaticString = #filePath, line: UInt = #line) throws {
        let out = runner.options.outputDirectory
        let data = try Data(contentsOf: out.appendingPathComponent("study.ipynb"))
        let notebook = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any], "a JSON object", file: file, line: line)
        XCTAssertEqual(notebook["nbformat"] as? Int, 4, file: file, line: line)
        XCTAssertGreaterThanOrEqual(notebook["nbformat_minor"] as? Int ?? 0, 5, "cell ids need 4.5", file: file, line: line)
        let metadata = try XCTUnwrap(notebook["metadata"] as? [String: Any], file: file, line: line)
        XCTAssertEqual((metadata["kernelspec"] as? [String: Any])?["name"] as? String, "python3", file: file, line: line)
        let cells = try XCTUnwrap(notebook["cells"] as? [[String: Any]], file: file, line: line)

        // Every cell as nbformat 4.5 requires it; ids unique.
        var ids: [String] = []
        var pngs = 0
        var markdown: [String] = []
        var html: [String] = []
        for cell in cells {
            let id = cell["id"] as? String ?? ""
            ids.append(id)
            XCTAssertNotNil(id.wholeMatch(of: idPattern), "cell id \(id)", file: file, line: line)
            XCTAssertNotNil(cell["metadata"] as? [String: Any], "\(id): metadata", file: file, line: line)
            XCTAssertNotNil(text(cell["source"]), "\(id): source", file: file, line: line)
            switch cell["cell_type"] as? String {
            case "markdown":
                markdown.append(text(cell["source"]) ?? "")
            case "code":
                XCTAssertTrue(cell.keys.contains("execution_count"), "\(id): execution_count is required", file: file, line: line)
                let outputs = try XCTUnwrap(cell["outputs"] as? [[String: Any]], "\(id): outputs", file: file, line: line)
                for o in outputs {
                    switch o["output_type"] as? String {
                    case "stream":
                        XCTAssertTrue(["stdout", "stderr"].contains(o["name"] as? String ?? ""), file: file, line: line)
                        XCTAssertNotNil(text(o["text"]), file: file, line: line)
                    case "display_data":
                        XCTAssertNotNil(o["metadata"] as? [String: Any], file: file, line: line)
                        let data = try XCTUnwrap(o["data"] as? [String: Any], file: file, line: line)
                        XCTAssertNotNil(text(data["text/plain"]), "every output has a text form", file: file, line: line)
                        if let png = text(data["image/png"]) {
                            pngs += 1
                            let bytes = try XCTUnwrap(Data(base64Encoded: png, options: .ignoreUnknownCharacters), "base64", file: file, line: line)
                            XCTAssertEqual(bytes.prefix(8), Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]), "a PNG", file: file, line: line)
                        }
                        if let h = text(data["text/html"]) { html.append(h) }
                    case let other:
                        XCTFail("\(id): output type \(other ?? "none")", file: file, line: line)
                    }
                }
            case let other:
                XCTFail("\(id): cell type \(other ?? "none")", file: file, line: line)
            }
        }
        XCTAssertEqual(Set(ids).count, ids.count, "unique cell ids: \(ids)", file: file, line: line)

        // One Markdown cell (its heading) and one code cell (`--only` it) per chapter that ran.
        let report = try String(contentsOf: out.appendingPathComponent("report.html"), encoding: .utf8)
        XCTAssertEqual(pngs, report.components(separatedBy: "<img ").count - 1, "one image/png output per figure of report.html", file: file, line: line)
        let ran = runner.outcomes.filter { if case .ran = $0.outcome { return true } else { return false } }.map(\.id)
        XCTAssertFalse(ran.isEmpty, file: file, line: line)
        for id in ran {
            let runs = cells.indices.filter { cells[$0]["cell_type"] as? String == "code" && (text(cells[$0]["source"]) ?? "").contains("--only \(id.rawValue) ") }
            XCTAssertEqual(runs.count, 1, "one code cell re-runs \(id)", file: file, line: line)
            guard let i = runs.first, i > 0 else { continue }
            let heading = "## \(Int(id.number) ?? 0). "
            XCTAssertTrue(cells[i - 1]["cell_type"] as? String == "markdown" && (text(cells[i - 1]["source"]) ?? "").hasPrefix(heading),
                          "\(id): its text, under its heading, before its code cell", file: file, line: line)
            XCTAssertNotNil(cells[i]["execution_count"] as? Int, "\(id) ran: it has an execution count", file: file, line: line)
        }

        // No path of the machine but those the options gave.
        var rest = String(decoding: data, as: UTF8.self)
        for path in given.sorted(by: { $0.count > $1.count }) { rest = rest.replacingOccurrences(of: path, with: "<given>") }
        XCTAssertFalse(rest.contains(temporaryRoot), "a path under \(temporaryRoot) the options did not give", file: file, line: line)
        XCTAssertFalse(rest.contains(FileManager.default.currentDirectoryPath + "/"), "the working folder", file: file, line: line)

        // Data shows as text: no markup it made in the Markdown cells or the HTML outputs.
        XCTAssertEqual(InjectedMarkup.problems(markdown: markdown.joined(separator: "\n\n")), [], "Markdown cells", file: file, line: line)
        XCTAssertEqual(InjectedMarkup.problems(html: html.joined(separator: "\n"), minimumTags: 20), [], "HTML outputs", file: file, line: line)
    }

    /// nbformat's multi-line string: a string or a list of lines.
    static func text(_ value: Any?) -> String? {
        if let s = value as? String { return s }
        return (value as? [String])?.joined()
    }
}
