import XCTest
@testable import Report
import TestSupport

final class ReportTests: XCTestCase {
    /// `{{x}}` is text, escaped for Markdown; `{{{x}}}` is Markdown built by code, as it is.
    func testTemplateEscapesDoubleBracesAndKeepsTripleBraces() throws {
        let out = try renderTemplate("Accuracy {{acc}} on {{n}} clips; {{#rows}}[{{name}}]{{/rows}}\n{{{table}}}", named: "t",
                                     context: ["acc": "0.99 < 1", "n": 560, "rows": [["name": "a|b"], ["name": "c"]],
                                               "table": "| `x` |\n|---|\n"])
        XCTAssertEqual(out, "Accuracy 0.99 &lt; 1 on 560 clips; [a\\|b][c]\n| `x` |\n|---|\n")
    }

    func testBrokenTemplateIsAnErrorNamingIt() {
        XCTAssertThrowsError(try renderTemplate("{{#open}} never closed", named: "02-eda", context: [:])) { e in
            XCTAssertTrue("\(e)".contains("02-eda"))
        }
    }

    func testMarkdownTableShape() {
        let t = Markdown.table(["label", "count"], [["angry", "400"], ["a|b", "1"]], align: ["l", "r"])
        let lines = t.split(separator: "\n")
        XCTAssertEqual(lines.count, 4)
        XCTAssertEqual(lines[1], "|---|---:|")
        XCTAssertEqual(lines[3], "| a\\|b | 1 |")
    }

    func testHTMLIsSelfContainedWithTOCAndEmbeddedImage() throws {
        let dir = try SharedData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let png = Data([0x89, 0x50, 0x4E, 0x47, 1, 2, 3])
        try png.write(to: dir.appendingPathComponent("fig.png"))
        let md = "# Study\n\n## Load the data\n\nText.\n\n![a figure](fig.png)\n\n## Load the data\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
        let html = HTMLReport(title: "T", baseDirectory: dir).render(markdown: md)
        XCTAssertTrue(html.contains("<h2 id=\"load-the-data\">"))
        XCTAssertTrue(html.contains("<h2 id=\"load-the-data-2\">"), "duplicate headings get distinct ids")
        XCTAssertTrue(html.contains("href=\"#load-the-data\""))
        XCTAssertTrue(html.contains("data:image/png;base64,\(png.base64EncodedString())"))
        XCTAssertFalse(html.contains("src=\"fig.png\""))
        XCTAssertTrue(html.contains("<table>"))
        XCTAssertFalse(html.contains("http://") || html.contains("https://"), "no external assets")
    }

    /// CommonMark leaves intraword underscores alone; the HTML must too.
    func testIntrawordUnderscoresStayLiteral() throws {
        let md = "## val_loss\n\nval_loss and val_accuracy, mfcc_1 … mfcc_40, and *real emphasis*.\n\n| val_loss |\n|---|\n| OAF_back_angry |\n"
        let html = HTMLReport(title: "T", baseDirectory: URL(fileURLWithPath: "/nonexistent")).render(markdown: md)
        XCTAssertTrue(html.contains("val_loss and val_accuracy, mfcc_1 … mfcc_40"), html)
        XCTAssertTrue(html.contains("<em>real emphasis</em>"))
        XCTAssertTrue(html.contains("OAF_back_angry"))
        XCTAssertTrue(html.contains("id=\"valloss\">val_loss</h2>") || html.contains(">val_loss</h2>"), html)
        XCTAssertFalse(html.contains("\u{E000}"))
    }
}
