@testable import DemoServer
import Foundation
import Inference
import XCTest

/// The page says what the model file says: class names from its classes, the analysis window
/// from its recipe; nothing from a table of its own.
final class PageTests: XCTestCase {
    let examples = [ExampleCatalog.Example(name: "ps_SYF.wav", label: "ps", speaker: "SYF", url: "/api/examples/ps_SYF.wav")]
    let summary = ModelSummary(file: "model.safetensors", featurePreset: "librosa", classes: ["ps", "sad"])

    func testDisplayNamesComeFromTheModel() {
        let classes = ModelClasses(codes: ["ps", "sad"], displayNames: ["Überraschung", "sad </script><b>"])
        let html = Page.html(examples: examples, model: summary, classes: classes,
                             recipe: FeatureRecipe(nMFCC: 20, offset: 0.25, duration: 2, sampleRate: 16000))
        XCTAssertTrue(html.contains("<option value=\"ps_SYF.wav\">Überraschung — SYF (ps_SYF.wav)</option>"), html)
        XCTAssertFalse(html.contains("pleasant surprise"), "no built-in names")
        XCTAssertTrue(html.contains(#"var names = {"ps":"Überraschung","sad":"sad \u003c\/script\u003e\u003cb\u003e"};"#)
                      || html.contains(#"var names = {"ps":"Überraschung","sad":"sad \u003c/script\u003e\u003cb\u003e"};"#),
                      "names as a script-safe JSON object")
        XCTAssertEqual(html.components(separatedBy: "</script>").count, 2, "a display name cannot close the script")
        XCTAssertTrue(html.contains("A model over 20 MFCC means (mfcc-means)"))
        XCTAssertTrue(html.contains("Analysis uses 2 s of audio from 0.25 s into the clip."))
        XCTAssertTrue(html.contains("Waveform (whole clip, 16000 Hz)"))
        XCTAssertFalse(html.contains("{{"), "every placeholder is filled")
    }

    /// The page names the corpus the model file says it was trained on (escaped), and makes no
    /// claim for a file that does not say.
    func testThePageNamesTheModelsCorpus() {
        var ravdess = summary
        ravdess.corpus = "RAVDESS <i>"
        let html = Page.html(examples: examples, model: ravdess, classes: ModelClasses(codes: ["ps", "sad"]), recipe: .notebook)
        XCTAssertTrue(html.contains("trained on RAVDESS &lt;i&gt;."), html)
        XCTAssertFalse(html.contains("Toronto"))
        let unknown = Page.html(examples: examples, model: summary, classes: ModelClasses(codes: ["ps", "sad"]), recipe: .notebook)
        XCTAssertTrue(unknown.contains("trained on the corpus of its study run."))
    }

    func testOlderModelsShowTheirCodes() {
        let html = Page.html(examples: examples, model: summary, classes: ModelClasses(codes: ["ps", "sad"]), recipe: .notebook)
        XCTAssertTrue(html.contains("<option value=\"ps_SYF.wav\">ps — SYF (ps_SYF.wav)</option>"))
        XCTAssertTrue(html.contains(#"var names = {"ps":"ps","sad":"sad"};"#))
        XCTAssertTrue(html.contains("Analysis uses 3 s of audio from 0.5 s into the clip."))
    }

    /// Without JavaScript the form still posts the clip: a real multipart form with a file
    /// input and a submit button, to the route that answers HTML.
    func testFormPostsWithoutJavaScript() {
        let html = Page.html(examples: examples, model: summary, classes: ModelClasses(codes: ["ps", "sad"]), recipe: .notebook)
        XCTAssertTrue(html.contains(#"<form id="form" class="card" method="post" action="/predict" enctype="multipart/form-data""#))
        XCTAssertTrue(html.contains(#"<input type="file" id="file" name="file""#))
        XCTAssertTrue(html.contains(#"<select id="example" name="example""#))
        XCTAssertTrue(html.contains(#"<button type="submit""#))
        XCTAssertTrue(html.contains("event.preventDefault()"), "with JavaScript on, the script still takes over")
        XCTAssertTrue(html.contains(".fill { background: var(--accent)"), "the shared styles are inlined")
    }

    func testResultPageSortsAndEscapes() {
        let classes = ModelClasses(codes: ["ps", "sad", "x"], displayNames: ["Surprise <b>", "Sad & blue", "x"])
        let report = ClipReport(label: "sad", confidences: ["ps": 0.25, "sad": 0.625, "x": 0.125], durationSeconds: 2.5,
                                sampleRate: 24414, model: ModelSummary(file: "m<1>.safetensors", featurePreset: "librosa",
                                                                       classes: ["ps", "sad", "x"]))
        let html = Page.result(report, classes: classes, clipName: "a<b>.wav")
        XCTAssertTrue(html.contains("<strong id=\"label\">Sad &amp; blue</strong>"))
        let rows = ["<tr class=\"top\"><th scope=\"row\">Sad &amp; blue</th><td class=\"pct\">62.5%</td>",
                    "<tr><th scope=\"row\">Surprise &lt;b&gt;</th><td class=\"pct\">25.0%</td>",
                    "<tr><th scope=\"row\">x</th><td class=\"pct\">12.5%</td>"]
        let at = rows.map { html.range(of: $0)?.lowerBound }
        XCTAssertFalse(at.contains(nil), html)
        XCTAssertEqual(at.compactMap { $0 }, at.compactMap { $0 }.sorted(), "highest first")
        XCTAssertTrue(html.contains("style=\"width: 62.5%\""))
        XCTAssertTrue(html.contains("a&lt;b&gt;.wav: 2.50 s at 24414 Hz · model m&lt;1&gt;.safetensors (librosa features)"))
        XCTAssertFalse(html.contains("<b>"))
        XCTAssertFalse(html.contains("<img"), "no figures when the report has none")
        XCTAssertFalse(html.contains("<script"))

        let error = Page.error(status: 415, reason: "Unsupported Media Type", message: "not <audio> & such")
        XCTAssertTrue(error.contains("<p id=\"error\" role=\"alert\">not &lt;audio&gt; &amp; such</p>"))
        XCTAssertTrue(error.contains("HTTP 415 Unsupported Media Type"))
        XCTAssertTrue(error.contains("<a href=\"/\">"))
    }
}
