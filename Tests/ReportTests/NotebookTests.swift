import Foundation
import TestSupport
import XCTest
@testable import Report

/// The notebook model and the split of a section into prose and outputs (issue 25), against
/// independent facts: nbformat's required keys and id rule, the file's bytes, a POSIX shell.
final class NotebookTests: XCTestCase {
    func testNotebookJSONHasNbformatsShape() throws {
        let nb = Notebook(cells: [.markdown(id: Notebook.cellID("01 load/text"), source: "## 1. Load\n\nText.\n"),
                                  .code(id: "run", source: "%%bash\necho hi\n", executionCount: 1,
                                        outputs: [.stream(name: "stdout", text: "hi\n"), .displayData(data: ["text/plain": "x"])])],
                          metadata: Notebook.python3Metadata)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: try nb.json()) as? [String: Any])
        XCTAssertEqual(json["nbformat"] as? Int, 4)
        XCTAssertEqual(json["nbformat_minor"] as? Int, 5)
        let cells = try XCTUnwrap(json["cells"] as? [[String: Any]])
        XCTAssertEqual(cells[0]["id"] as? String, "01-load-text")
        XCTAssertEqual(Set(cells[0].keys), ["cell_type", "id", "metadata", "source"])
        XCTAssertEqual(Set(cells[1].keys), ["cell_type", "id", "metadata", "source", "execution_count", "outputs"])
        XCTAssertEqual((cells[0]["source"] as? [String])?.joined(), "## 1. Load\n\nText.\n")
        XCTAssertEqual(try JSONDecoder().decode(Notebook.self, from: try nb.json()), nb, "decodes to itself")
        XCTAssertEqual(try nb.json(), try nb.json(), "the same bytes")
        XCTAssertEqual(Notebook.cellID(String(repeating: "é", count: 80)).count, 64)
    }

    /// Hostile words survive a round trip through /bin/sh as one argument each.
    func testShellWordsReachTheProgramAsGiven() throws {
        let words = ["plain/path-1.0", "a b", "it's", "$(touch x)", "`id`", "*", "a\"b", "~user", "{a,b}", "line\nbreak", ""]
        let script = "for a in " + words.map(Escape.shellWord).joined(separator: " ") + "; do printf '%s\\0' \"$a\"; done"
        let r = try BuiltProduct.run(URL(fileURLWithPath: "/bin/sh"), ["-c", script])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(r.out.split(separator: "\0", omittingEmptySubsequences: false).dropLast().map(String.init), words)
    }

    func testSectionSplitsProseFromTablesFiguresAndPlayers() throws {
        let dir = try SharedData.temporaryDirectory("notebook-section")
        defer { try? FileManager.default.removeItem(at: dir) }
        let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3])
        try png.write(to: dir.appendingPathComponent("fig.png"))
        try Data("RIFF".utf8).write(to: dir.appendingPathComponent("a.wav"))
        let md = """
        ## 6. Evaluation

        Text about \\<b\\>.

        | a | b |
        |---|---|
        | 1 | 2 |

        ![confusion \\| matrix](fig.png)

        **SOF** `a.wav` <audio controls preload="none" src="a.wav" title="a.wav"></audio>

        | w | s |
        |---|---|
        | ![w1](fig.png) | ![s1](fig.png) |

        ```
        | not a table |
        ```
        """
        let section = NotebookSection(markdown: md, renderer: HTMLReport(title: "", baseDirectory: dir))
        XCTAssertTrue(section.markdown.hasPrefix("## 6. Evaluation\n\nText about \\<b\\>."))
        XCTAssertTrue(section.markdown.contains("| not a table |"), "fenced code stays prose")
        XCTAssertFalse(section.markdown.contains("| 1 | 2 |"))
        XCTAssertFalse(section.markdown.contains("!["), "no figure in the prose")
        XCTAssertEqual(section.outputs.count, 5)
        guard case .displayData(let table, _) = section.outputs[0], case .displayData(let figure, _) = section.outputs[1],
              case .displayData(let player, _) = section.outputs[2], case .displayData(let w, let meta) = section.outputs[3] else {
            return XCTFail("\(section.outputs)")
        }
        XCTAssertTrue(table["text/html"]?.contains("<table>") == true)
        XCTAssertEqual(table["text/plain"], "| a | b |\n|---|---|\n| 1 | 2 |\n")
        XCTAssertEqual(Data(base64Encoded: figure["image/png"] ?? ""), png, "the file's bytes")
        XCTAssertEqual(figure["text/plain"], "confusion | matrix")
        XCTAssertTrue(player["text/html"]?.contains("src=\"data:audio/wav;base64,\(Data("RIFF".utf8).base64EncodedString())\"") == true)
        XCTAssertEqual(w["text/plain"], "w1")
        XCTAssertNotNil(meta["image/png"], "a table's figure has a display width")
    }
}
