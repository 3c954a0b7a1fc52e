import Foundation
import XCTest
@testable import Plot
import TestSupport

/// Renders the gallery of Plot's general charts. The contact sheet in the repository also
/// shows the study's own charts (drawn in Study), so it is regenerated from StudyTests:
///
///     PLOT_GALLERY_OUT=docs swift test --filter StudyTests.ChartsTests
///
/// (the folder is taken relative to the repository root; it receives contact-sheet.png and
/// plot-gallery/*.png).
final class GalleryTests: XCTestCase {
    /// TESS's seven emotion codes, the names the README's gallery shows.
    let categories = ["angry", "disgust", "fear", "happy", "neutral", "ps", "sad"]

    func testEveryFigureKindRendersWithACleanLayout() throws {
        for (name, fig) in Gallery.figures(categories: categories) {
            let r = try fig.render()
            XCTAssertFalse(r.texts.isEmpty, name)
            assertCleanLayout(r)
        }
    }

    func testRenderAllWritesTheContactSheet() throws {
        let dir = try SharedData.temporaryDirectory("plot-gallery")
        defer { try? FileManager.default.removeItem(at: dir) }
        let sheet = try Gallery.renderAll(to: dir, categories: categories)
        let decoded = try XCTUnwrap(decodePNG(try Data(contentsOf: sheet)))
        XCTAssertGreaterThan(decoded.width, 1000)
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("plot-gallery").path)
        XCTAssertEqual(files.count, Gallery.figures(categories: categories).count)
    }
}
