import Base
import Foundation
import XCTest
@testable import Report
import TestSupport

/// The escapes of data for each place the report puts it, against strings written by hand, and
/// what Ink makes of them: the injection strings of issue 22 must come out as text.
final class EscapeTests: XCTestCase {
    static let script = "<script>alert(1)</script>"
    static let img = "\"><img src=x onerror=alert(1)>"
    static let jsURL = "javascript:alert(1)"
    static let mdLink = "[x](javascript:alert(1))"
    static let pipes = "| a | b |"
    static let hostile = [script, img, jsURL, mdLink, pipes]

    func testHTML() {
        XCTAssertEqual(Escape.html(Self.script), "&lt;script&gt;alert(1)&lt;/script&gt;")
        XCTAssertEqual(Escape.html(Self.img), "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;")
        XCTAssertEqual(Escape.html("Tom & 'Jerry'"), "Tom &amp; &#39;Jerry&#39;")
        XCTAssertEqual(Escape.html("OAF_back_angry.wav"), "OAF_back_angry.wav")
        XCTAssertEqual(HTMLReport.escape("a<b"), "a&lt;b", "the HTML report's own escape is this one")
    }

    func testAttribute() {
        XCTAssertEqual(Escape.attribute(Self.img), "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;")
        XCTAssertEqual(Escape.attribute("a|b\nc\r\nd 'e'"), "a&#124;b&#10;c&#13;&#10;d &#39;e&#39;")
    }

    func testURL() {
        XCTAssertEqual(Escape.url("02-eda/figures/angry_OAF.png"), "02-eda/figures/angry_OAF.png", "safe paths stay as they are")
        XCTAssertEqual(Escape.url(Self.jsURL), "javascript%3Aalert%281%29", "no scheme survives")
        XCTAssertEqual(Escape.url(Self.script), "%3Cscript%3Ealert%281%29%3C/script%3E")
        XCTAssertEqual(Escape.url(Self.img), "%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E")
        XCTAssertEqual(Escape.url("a b/ü~.wav"), "a%20b/%C3%BC~.wav")
        XCTAssertEqual(Escape.url(Self.mdLink), "%5Bx%5D%28javascript%3Aalert%281%29%29")
    }

    func testMarkdown() {
        XCTAssertEqual(Escape.markdown(Self.script), "&lt;script&gt;alert(1)&lt;/script&gt;")
        XCTAssertEqual(Escape.markdown(Self.img), "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;")
        XCTAssertEqual(Escape.markdown(Self.jsURL), "javascript:alert(1)", "plain text: nothing to escape")
        XCTAssertEqual(Escape.markdown(Self.mdLink), "\\[x\\](javascript:alert(1))")
        XCTAssertEqual(Escape.markdown(Self.pipes), "\\| a \\| b \\|")
        XCTAssertEqual(Escape.markdown("*a* _b_ `c` ~~d~~ #e !f $g$ \\h & i"),
                       "\\*a\\* \\_b\\_ \\`c\\` \\~\\~d\\~\\~ \\#e \\!f \\$g\\$ &#92;h &amp; i")
        XCTAssertEqual(Escape.markdown("line\nbreak\r\nand\ttab"), "line break and tab")
        // What makes a block at the start of a line.
        XCTAssertEqual(Escape.markdown("- item"), "\\- item")
        XCTAssertEqual(Escape.markdown("+"), "\\+")
        XCTAssertEqual(Escape.markdown("==="), "\\===")
        XCTAssertEqual(Escape.markdown("12. first"), "12\\. first")
        XCTAssertEqual(Escape.markdown("3) third"), "3\\) third")
        XCTAssertEqual(Escape.markdown("---"), "\\---")
        XCTAssertEqual(Escape.markdown("0.25"), "0.25")
        XCTAssertEqual(Escape.markdown("-0.5"), "-0.5")
        XCTAssertEqual(Escape.markdown("1.5 s"), "1.5 s")
        XCTAssertEqual(Escape.markdown("OAF"), "OAF")
        XCTAssertEqual(Escape.markdown("pleasant surprise"), "pleasant surprise")
    }

    func testMarkdownTableCell() {
        XCTAssertEqual(Escape.markdownTableCell(Self.pipes), "\\| a \\| b \\|")
        XCTAssertEqual(Escape.markdownTableCell("a|b\nc"), "a\\|b c")
        XCTAssertEqual(Escape.markdownTableCell("- item"), "- item", "a cell never starts a block")
        XCTAssertEqual(Escape.markdownTableCell("-512.25"), "-512.25")
        XCTAssertEqual(Escape.markdownTableCell(Self.script), "&lt;script&gt;alert(1)&lt;/script&gt;")
    }

    func testCodeSpan() {
        XCTAssertEqual(Escape.codeSpan("OAF_back_angry.wav"), "`OAF_back_angry.wav`")
        XCTAssertEqual(Escape.codeSpan(Self.script), "`<script>alert(1)</script>`", "a code span is shown literally")
        XCTAssertEqual(Escape.codeSpan("a`b|c\nd"), "`a'b\\|c d`")
        XCTAssertEqual(Markdown.code("x`y"), "`x'y`")
    }

    func testTableEscapesCellsAndKeepsTheBuildersMarkup() {
        let audio = Markdown.audio("audio/a b.wav", label: Self.img)
        XCTAssertEqual(audio, "<audio controls preload=\"none\" src=\"audio/a%20b.wav\" "
                       + "title=\"&quot;&gt;&lt;img src=x onerror=alert(1)&gt;\"></audio>")
        let t = Markdown.table([Self.script, "mfcc_1"],
                               [[Self.img, Self.pipes], [Markdown.code("OAF_a|b.wav") + " and " + Self.mdLink, "**collapsed**"],
                                [audio, "**" + Self.script + "**"]])
        XCTAssertEqual(t, """
            | &lt;script&gt;alert(1)&lt;/script&gt; | mfcc\\_1 |
            |---|---|
            | &quot;&gt;&lt;img src=x onerror=alert(1)&gt; | \\| a \\| b \\| |
            | `OAF_a\\|b.wav` and \\[x\\](javascript:alert(1)) | **collapsed** |
            | \(audio) | **&lt;script&gt;alert(1)&lt;/script&gt;** |

            """)
        // Raw HTML that is not exactly the player is text.
        let fake = "<audio controls preload=\"none\" src=\"x\" title=\"\" onerror=\"alert(1)\"></audio>"
        XCTAssertEqual(Markdown.cell(fake), "&lt;audio controls preload=&quot;none&quot; src=&quot;x&quot; title=&quot;&quot; "
                       + "onerror=&quot;alert(1)&quot;&gt;&lt;/audio&gt;")
        XCTAssertEqual(Markdown.cell("`a|b` `c\\|d`"), "`a\\|b` `c\\|d`", "a pipe in code is escaped once")
    }

    func testFigure() {
        XCTAssertEqual(Markdown.figure("fig/a b.png", alt: Self.mdLink, caption: Self.script),
                       "![\\[x\\](javascript:alert(1))](fig/a%20b.png)\n\n*&lt;script&gt;alert(1)&lt;/script&gt;*\n")
    }

    /// Every way a template puts data: text, heading, emphasis, image alt and URL, code, table row.
    func testTemplateTransforms() throws {
        struct Row { var speaker: String; var wave: String; var path: String }
        struct Section { var name: String; var rows: [Row]; var flag: Bool; var count: Int; var missing: String? }
        let template = """
            #### {{name}}

            **{{name}}** {{{code(name)}}}{{#flag}} n={{count}}{{/flag}}{{^missing}} none{{/missing}}

            | s | w |
            |---|---|
            {{#rows}}
            | {{speaker}} | ![w {{speaker}}]({{{url(wave)}}}) {{{code(path)}}} |
            {{/rows}}
            """
        let out = try renderTemplate(template, named: "t", context: Section(
            name: Self.script, rows: [Row(speaker: Self.img, wave: "figures/\(Self.jsURL).png", path: Self.pipes)],
            flag: true, count: 3, missing: nil))
        XCTAssertEqual(out, """
            #### &lt;script&gt;alert(1)&lt;/script&gt;

            **&lt;script&gt;alert(1)&lt;/script&gt;** `<script>alert(1)</script>` n=3 none

            | s | w |
            |---|---|
            | &quot;&gt;&lt;img src=x onerror=alert(1)&gt; | ![w &quot;&gt;&lt;img src=x onerror=alert(1)&gt;](figures/javascript%3Aalert%281%29.png) `\\| a \\| b \\|` |

            """)
    }

    /// Ink turns the escaped Markdown into HTML with no tag, attribute or URL from the data.
    func testInkOutputOfEscapedDataHasNoMarkup() throws {
        var md = "# Report\n\n"
        for h in Self.hostile {
            md += "## \(Escape.markdown(h))\n\nText \(Escape.markdown(h)), **\(Escape.markdown(h))** \(Markdown.code(h)) "
                + Markdown.audio(h, label: h) + "\n\n![\(Escape.markdown(h))](\(Escape.url(h)))\n\n"
        }
        md += Markdown.table(Self.hostile, [Self.hostile.map(Markdown.code), Self.hostile])
        let html = HTMLReport(title: Self.script, baseDirectory: URL(fileURLWithPath: "/nonexistent")).render(markdown: md)
        XCTAssertEqual(InjectedMarkup.problems(html: html), [])
        XCTAssertEqual(InjectedMarkup.problems(markdown: md), [])
        XCTAssertFalse(html.lowercased().contains("<img src=x"), html)
        XCTAssertTrue(html.contains("<h2 id=\"ltscriptgtalert1ltscriptgt\">&lt;script&gt;alert(1)&lt;/script&gt;</h2>"), html)
        XCTAssertTrue(html.contains("<td>[x](javascript:alert(1))</td>"))
        XCTAssertTrue(html.contains("<td>| a | b |</td>"), "a pipe in a cell is text")
        XCTAssertTrue(html.contains("alt=\"&quot;&gt;&lt;img src=x onerror=alert(1)&gt;\""))
    }

    /// The Content-Security-Policy forbids scripts and allows the `<style>` block by its hash.
    func testContentSecurityPolicy() throws {
        let html = HTMLReport(title: "T", baseDirectory: URL(fileURLWithPath: "/nonexistent")).render(markdown: "# T\n")
        let csp = HTMLReport.contentSecurityPolicy
        XCTAssertTrue(html.contains("<meta http-equiv=\"Content-Security-Policy\" content=\"\(csp)\">"))
        XCTAssertTrue(csp.hasPrefix("default-src 'none'; img-src data: 'self'; media-src data: 'self'; style-src 'sha256-"), csp)
        XCTAssertFalse(csp.contains("script-src") || csp.contains("unsafe"), csp)
        // sha256sum of the CSS, base64 (the browser hashes the <style> element's text).
        let style = try XCTUnwrap(html.range(of: "<style>").map { html[$0.upperBound...] }.flatMap { s in s.range(of: "</style>").map { String(s[..<$0.lowerBound]) } })
        XCTAssertEqual(style, HTMLReport.css)
        XCTAssertTrue(csp.contains("'sha256-\(Data(SHA256Digest.of(style)).base64EncodedString())'"))
        XCTAssertNil(html.range(of: "style=\"", options: .literal), "no style attribute, which the policy would block")
    }

    /// Figure paths are URLs: percent-decoded to find the file, never outside the report's folder.
    func testEmbeddingDecodesPathsAndStaysInTheFolder() throws {
        let dir = try SharedData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let png = Data([0x89, 0x50, 0x4E, 0x47, 9])
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("in"), withIntermediateDirectories: true)
        try png.write(to: dir.appendingPathComponent("in/a b<c>.png"))
        try png.write(to: dir.appendingPathComponent("outside.png"))
        let md = "![a](\(Escape.url("a b<c>.png")))\n\n![b](../outside.png)\n\n![c](%2E%2E/outside.png)\n"
        let html = HTMLReport(title: "T", baseDirectory: dir.appendingPathComponent("in")).render(markdown: md)
        XCTAssertTrue(html.contains("src=\"data:image/png;base64,\(png.base64EncodedString())\" alt=\"a\""), html)
        XCTAssertTrue(html.contains("src=\"../outside.png\""), "not embedded")
        XCTAssertTrue(html.contains("src=\"%2E%2E/outside.png\""), "not embedded")
    }
}

/// SHA-256 of a string's UTF-8 bytes.
enum SHA256Digest {
    static func of(_ s: String) -> [UInt8] {
        var h = SHA256()
        h.update(s)
        return h.finalize()
    }
}
