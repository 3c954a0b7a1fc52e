import Foundation

/// A figure: a canvas size, a grid of axes and an optional overall title. Declarative: build the
/// axes, then `write(to:)`, `pngData()` or `render()`; layout is computed at render time from the
/// measured text extents, so labels never need hand-tuned offsets.
public final class Figure {
    public let width: Int
    public let height: Int
    /// Pixels per inch: font sizes and line widths are given in points (1/72 in), as in matplotlib.
    public let dpi: Double
    public var fonts: FontSet = .dejaVu
    public var background: Color = .white
    /// An overall title above all panels (matplotlib's `suptitle`).
    public var title: String?
    public var titleSize: Double = 13
    /// Space between the figure edge and everything drawn, in points.
    public var padding: Double = 8
    /// Space between neighbouring panels' decorations, in points.
    public var spacing: Double = 14
    /// Relative heights of the grid rows and widths of its columns (equal by default).
    public var rowHeights: [Double]?
    public var columnWidths: [Double]?
    /// PNG effort for `pngData()` and `write(to:)`.
    public var compression: PNG.Compression = .fast

    public private(set) var axes: [Axes] = []
    public private(set) var rows = 0
    public private(set) var columns = 0

    public init(width: Int, height: Int, dpi: Double = 100) {
        precondition(width > 0 && height > 0 && dpi > 0, "Figure(width: \(width), height: \(height), dpi: \(dpi))")
        self.width = width
        self.height = height
        self.dpi = dpi
    }

    /// Replaces the panels by a `rows × columns` grid and returns them row by row.
    @discardableResult
    public func subplots(rows: Int, columns: Int = 1) -> [Axes] {
        precondition(rows > 0 && columns > 0, "Figure.subplots: rows and columns must be positive")
        self.rows = rows
        self.columns = columns
        axes = (0..<rows).flatMap { r in (0..<columns).map { Axes(row: r, column: $0) } }
        return axes
    }

    /// A single panel filling the figure (the usual one-plot figure).
    public func addAxes() -> Axes {
        subplots(rows: 1, columns: 1)[0]
    }

    /// A panel at a fixed position (figure pixels), outside the grid layout.
    public func addAxes(frame: Rect) -> Axes {
        let ax = Axes(row: -1, column: -1)
        ax.fixedFrame = frame
        axes.append(ax)
        return ax
    }

    /// Draws the figure.
    public func render() throws -> Rendering {
        try FigureRenderer(figure: self).render()
    }

    public func pngData() throws -> Data {
        try render().canvas.pngData(compression: compression)
    }

    /// Renders and writes a PNG file atomically (temporary file, then rename).
    public func write(to url: URL) throws {
        try PNG.writeAtomically(pngData(), to: url)
    }

    func points(_ pt: Double) -> Double { pt * dpi / 72 }
}

/// The result of rendering: the pixels, and where every text went (for layout checks).
public struct Rendering {
    public let canvas: Canvas
    public let texts: [RenderedText]
}

public struct RenderedText: Sendable {
    public enum Role: Sendable {
        case figureTitle, title, xLabel, yLabel, xTickLabel, yTickLabel, colorbarTickLabel, colorbarLabel,
             legend, annotation
    }
    public let role: Role
    public let text: String
    /// Device bounding box of the text's layout box.
    public let box: Rect
    /// Index of the axes in `Figure.axes`, nil for the figure title.
    public let axesIndex: Int?
}
