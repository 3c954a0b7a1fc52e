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
        XCTAssertTrue(html.contains("A 1-D CNN over 20 MFCC means"))
        XCTAssertTrue(html.contains("Analysis uses 2 s of audio from 0.25 s into the clip."))
        XCTAssertTrue(html.contains("Waveform (whole clip, 16000 Hz)"))
        XCTAssertFalse(html.contains("{{"), "every placeholder is filled")
    }

    func testOlderModelsShowTheirCodes() {
        let html = Page.html(examples: examples, model: summary, classes: ModelClasses(codes: ["ps", "sad"]), recipe: .notebook)
        XCTAssertTrue(html.contains("<option value=\"ps_SYF.wav\">ps — SYF (ps_SYF.wav)</option>"))
        XCTAssertTrue(html.contains(#"var names = {"ps":"ps","sad":"sad"};"#))
        XCTAssertTrue(html.contains("Analysis uses 3 s of audio from 0.5 s into the clip."))
    }
}
