import Foundation

/// Line dash patterns; the named ones are matplotlib's, in multiples of the line width.
public enum Dash: Sendable, Equatable {
    case solid, dashed, dotted, dashDot
    /// On/off lengths in points.
    case custom([Double])

    /// On/off lengths in pixels for a line `width` pixels wide at `dpi`.
    func pattern(width: Double, dpi: Double) -> [Double] {
        switch self {
        case .solid: return []
        case .dashed: return [3.7, 1.6].map { $0 * width }
        case .dotted: return [1, 1.65].map { $0 * width }
        case .dashDot: return [6.4, 1.6, 1, 1.6].map { $0 * width }
        case .custom(let p): return p.map { $0 * dpi / 72 }
        }
    }
}

/// Marker shapes for points on lines and scatter plots.
public enum Marker: Sendable, Equatable {
    case circle, square, diamond
}

/// Which coordinates a position is given in.
public enum Coordinates: Sendable {
    /// The axes' data coordinates.
    case data
    /// Fractions of the plotting area: (0, 0) lower left, (1, 1) upper right.
    case axes
}

/// Where a legend goes inside the axes; `.best` picks the place covering the least data
/// (matplotlib's `loc="best"`).
public enum LegendLocation: Sendable, CaseIterable {
    case best, upperRight, upperLeft, lowerLeft, lowerRight, right, centerLeft, centerRight,
         lowerCenter, upperCenter, center
}

/// How image cells are turned into pixels.
public enum Interpolation: Sendable {
    /// Area-average when shrinking, bilinear when enlarging (for dense data such as spectrograms).
    case smooth
    /// Each pixel takes the cell under its centre (for heatmaps, whose cells must stay crisp).
    case nearest
}

/// Which image row is drawn at the bottom of its extent.
public enum ImageOrigin: Sendable {
    /// Row 0 spans the lowest data y (spectrograms: frequency bin 0 at the bottom).
    case lower
    /// Row 0 spans the highest data y.
    case upper
}

/// A rectangle in data coordinates.
public struct DataRect: Sendable, Equatable {
    public var x0: Double, x1: Double, y0: Double, y1: Double
    public init(x0: Double, x1: Double, y0: Double, y1: Double) {
        self.x0 = x0; self.x1 = x1; self.y0 = y0; self.y1 = y1
    }
}

struct LineElement {
    var x: [Double], y: [Double]
    var color: Color, width: Double, dash: Dash
    var marker: Marker?, markerSize: Double
    var label: String?
}

struct FillElement {
    var x: [Double], lower: [Double], upper: [Double]
    var color: Color, label: String?
}

struct EnvelopeElement {
    var values: [Float], x0: Double, dx: Double
    var outline: Double
    var color: Color, label: String?
    var minimum: Float, maximum: Float
}

struct BarsElement {
    var x: [Double], heights: [Double], width: Double, bottom: Double
    var colors: [Color], edgeColor: Color?, label: String?
}

struct ScatterElement {
    var x: [Double], y: [Double], colors: [Color], size: Double, marker: Marker
    var edgeColor: Color?, label: String?
}

struct ImageElement {
    var values: [Float], rows: Int, cols: Int
    var extent: DataRect, origin: ImageOrigin
    var colormap: Colormap, vmin: Double, vmax: Double, interpolation: Interpolation
}

struct RectElement {
    var rect: DataRect, fill: Color?, edge: Color?, edgeWidth: Double, cornerRadius: Double
    var label: String?
    var zOrder: Int
}

struct TextElement {
    var text: String, x: Double, y: Double, coordinates: Coordinates
    var size: Double, weight: FontWeight, color: Color
    var horizontal: HorizontalAlignment, vertical: VerticalAlignment, rotation: Double
}

struct ReferenceLineElement {
    var value: Double, vertical: Bool
    var color: Color, width: Double, dash: Dash, label: String?
}

struct ArrowElement {
    var from: (x: Double, y: Double), to: (x: Double, y: Double)
    var color: Color, width: Double, headLength: Double, headWidth: Double
}

enum Element {
    case line(LineElement)
    case fill(FillElement)
    case envelope(EnvelopeElement)
    case bars(BarsElement)
    case scatter(ScatterElement)
    case image(ImageElement)
    case rect(RectElement)
    case text(TextElement)
    case referenceLine(ReferenceLineElement)
    case arrow(ArrowElement)

    /// Drawing order, as matplotlib's default z-orders: images, then patches, then lines, then text.
    var zOrder: Int {
        switch self {
        case .image: return 0
        case .fill, .envelope, .bars: return 1
        case .rect(let r): return r.zOrder
        case .line, .scatter, .referenceLine, .arrow: return 2
        case .text: return 3
        }
    }
}

struct ColorbarSpec {
    var colormap: Colormap, vmin: Double, vmax: Double
    var label: String?, format: TickFormat
}

/// One panel of a figure: data drawn in data coordinates, with its ticks, labels, title, legend
/// and colorbar. Build it by calling the drawing methods; nothing is rasterised until the figure
/// is rendered.
public final class Axes {
    public var title: String?
    public var titleSize: Double = 12
    public var xLabel: String?
    public var yLabel: String?
    /// Data limits; nil means fitted to the data with `margins` (a reversed pair flips the axis).
    public var xLimits: (Double, Double)?
    public var yLimits: (Double, Double)?
    /// Padding added to fitted limits, as a fraction of the data range (matplotlib's 5 %).
    public var xMargin: Double = 0.05
    public var yMargin: Double = 0.05
    public var xTicks: TickSpec = .auto
    public var yTicks: TickSpec = .auto
    public var xTickFormat: TickFormat = .auto
    public var yTickFormat: TickFormat = .auto
    /// Rotation of the x tick labels in degrees; nil turns fixed (categorical) labels by 90° only
    /// when they would overlap.
    public var xTickRotation: Double?
    /// Flips the y axis so that it grows downwards (heatmaps: first row on top).
    public var yInverted = false
    /// Light grid lines at the major ticks.
    public var xGrid = false
    public var yGrid = false
    /// Draw the frame (spines); ticks and labels remain.
    public var showFrame = true
    /// Hide frame, ticks and tick labels altogether (diagrams).
    public var axisOff = false
    public var legendLocation: LegendLocation?
    public var legendFontSize: Double = 10
    public var tickFontSize: Double = 10
    public var labelFontSize: Double = 10
    /// Where the panel sits in its figure's grid.
    public let row: Int
    public let column: Int
    /// A fixed plotting area in figure pixels, outside the automatic grid layout.
    public var fixedFrame: Rect?

    var elements: [Element] = []
    var colorbarSpec: ColorbarSpec?
    private var colorIndex = 0

    /// After rendering: the plotting area in device pixels and the data limits used.
    public internal(set) var frame: Rect?
    public internal(set) var viewLimits: (x: (Double, Double), y: (Double, Double))?

    init(row: Int, column: Int) {
        self.row = row
        self.column = column
    }

    /// The device position of a data point, once the figure has been rendered.
    public func pixel(x: Double, y: Double) -> Point? {
        guard let frame, let viewLimits else { return nil }
        return Transform(frame: frame, x: viewLimits.x, y: viewLimits.y).apply(x, y)
    }

    private func nextColor() -> Color {
        defer { colorIndex += 1 }
        return Palette.tab10[colorIndex % Palette.tab10.count]
    }

    // MARK: Drawing

    /// A polyline through (x[i], y[i]); NaN values break it. Width in points.
    public func line(x: [Double], y: [Double], color: Color? = nil, width: Double = 1.5, dash: Dash = .solid,
                     marker: Marker? = nil, markerSize: Double = 6, label: String? = nil) {
        precondition(x.count == y.count, "Axes.line: \(x.count) x values but \(y.count) y values")
        elements.append(.line(LineElement(x: x, y: y, color: color ?? nextColor(), width: width, dash: dash,
                                          marker: marker, markerSize: markerSize, label: label)))
    }

    /// The area between `lower` and `upper` over `x`.
    public func fillBetween(x: [Double], lower: [Double], upper: [Double], color: Color? = nil, alpha: Float = 1,
                            label: String? = nil) {
        precondition(x.count == lower.count && x.count == upper.count, "Axes.fillBetween: x, lower and upper differ in length")
        let c = (color ?? nextColor())
        elements.append(.fill(FillElement(x: x, lower: lower, upper: upper, color: c.withAlpha(c.a * alpha), label: label)))
    }

    /// The min/max envelope of a dense signal with samples at x0, x0 + dx, …, drawn at full
    /// resolution: every pixel column spans the extremes of the samples that fall into it.
    /// `outline` (points) widens each column's window and span by half that much on each side,
    /// the look of matplotlib's `fill_between`, whose polygon edge is stroked 1 pt wide.
    public func envelope(_ values: [Float], x0: Double = 0, dx: Double, color: Color? = nil, outline: Double = 0,
                         label: String? = nil) {
        precondition(dx > 0, "Axes.envelope: dx must be positive")
        var lo = Float.infinity, hi = -Float.infinity
        for v in values where v.isFinite { lo = min(lo, v); hi = max(hi, v) }
        elements.append(.envelope(EnvelopeElement(values: values, x0: x0, dx: dx, outline: max(0, outline),
                                                  color: color ?? nextColor(), label: label, minimum: lo, maximum: hi)))
    }

    /// Vertical bars centred on `x`; one colour for all or one per bar.
    public func bar(x: [Double], heights: [Double], width: Double = 0.8, bottom: Double = 0, colors: [Color]? = nil,
                    edgeColor: Color? = nil, label: String? = nil) {
        precondition(x.count == heights.count, "Axes.bar: \(x.count) positions but \(heights.count) heights")
        let cs = colors ?? [nextColor()]
        precondition(!cs.isEmpty, "Axes.bar: empty colour list")
        elements.append(.bars(BarsElement(x: x, heights: heights, width: width, bottom: bottom, colors: cs,
                                          edgeColor: edgeColor, label: label)))
    }

    /// Markers at (x[i], y[i]); `size` is the marker diameter in points.
    public func scatter(x: [Double], y: [Double], color: Color? = nil, colors: [Color]? = nil, size: Double = 6,
                        marker: Marker = .circle, edgeColor: Color? = nil, label: String? = nil) {
        precondition(x.count == y.count, "Axes.scatter: \(x.count) x values but \(y.count) y values")
        let cs = colors ?? [color ?? nextColor()]
        elements.append(.scatter(ScatterElement(x: x, y: y, colors: cs, size: size, marker: marker,
                                                edgeColor: edgeColor, label: label)))
    }

    /// A matrix (`rows × cols`, row-major) shown through a colormap over `extent`. Values are
    /// resampled to the pixel grid before colouring (matplotlib's "data" interpolation stage).
    public func image(_ values: [Float], rows: Int, cols: Int, extent: DataRect, colormap: Colormap = .viridis,
                      vmin: Double? = nil, vmax: Double? = nil, origin: ImageOrigin = .lower,
                      interpolation: Interpolation = .smooth) {
        precondition(rows > 0 && cols > 0 && values.count == rows * cols,
                     "Axes.image: \(values.count) values for a \(rows)×\(cols) matrix")
        var lo = Float.infinity, hi = -Float.infinity
        for v in values where v.isFinite { lo = min(lo, v); hi = max(hi, v) }
        if lo > hi { lo = 0; hi = 1 }
        elements.append(.image(ImageElement(values: values, rows: rows, cols: cols, extent: extent, origin: origin,
                                            colormap: colormap, vmin: vmin ?? Double(lo), vmax: vmax ?? Double(hi),
                                            interpolation: interpolation)))
    }

    /// A rectangle in data coordinates. `cornerRadius` is in points.
    public func rectangle(_ rect: DataRect, fill: Color? = nil, edge: Color? = nil, edgeWidth: Double = 1,
                          cornerRadius: Double = 0, label: String? = nil) {
        elements.append(.rect(RectElement(rect: rect, fill: fill, edge: edge, edgeWidth: edgeWidth,
                                          cornerRadius: cornerRadius, label: label, zOrder: 1)))
    }

    /// Text at a point; `size` in points.
    public func text(_ text: String, x: Double, y: Double, coordinates: Coordinates = .data, size: Double = 10,
                     weight: FontWeight = .regular, color: Color = .black,
                     horizontal: HorizontalAlignment = .left, vertical: VerticalAlignment = .baseline,
                     rotation: Double = 0) {
        elements.append(.text(TextElement(text: text, x: x, y: y, coordinates: coordinates, size: size, weight: weight,
                                          color: color, horizontal: horizontal, vertical: vertical, rotation: rotation)))
    }

    /// A vertical line across the whole axes at data x.
    public func verticalLine(x: Double, color: Color = .black, width: Double = 1.5, dash: Dash = .solid, label: String? = nil) {
        elements.append(.referenceLine(ReferenceLineElement(value: x, vertical: true, color: color, width: width,
                                                            dash: dash, label: label)))
    }

    /// A horizontal line across the whole axes at data y.
    public func horizontalLine(y: Double, color: Color = .black, width: Double = 1.5, dash: Dash = .solid, label: String? = nil) {
        elements.append(.referenceLine(ReferenceLineElement(value: y, vertical: false, color: color, width: width,
                                                            dash: dash, label: label)))
    }

    /// An arrow from one data point to another, the head (sizes in points) ending at `to`.
    public func arrow(from: (x: Double, y: Double), to: (x: Double, y: Double), color: Color = .black,
                      width: Double = 1, headLength: Double = 7, headWidth: Double = 5) {
        elements.append(.arrow(ArrowElement(from: from, to: to, color: color, width: width,
                                            headLength: headLength, headWidth: headWidth)))
    }

    /// Shows a legend of the labelled elements.
    public func legend(location: LegendLocation = .best) {
        legendLocation = location
    }

    /// A colorbar to the right of the axes, exactly as tall as the plotting area. Defaults to the
    /// colormap and value range of the last image.
    public func colorbar(label: String? = nil, format: TickFormat = .auto, colormap: Colormap? = nil,
                         vmin: Double? = nil, vmax: Double? = nil) {
        var last: ImageElement?
        for case .image(let img) in elements { last = img }
        let cmap = colormap ?? last?.colormap ?? .viridis
        colorbarSpec = ColorbarSpec(colormap: cmap, vmin: vmin ?? last?.vmin ?? 0, vmax: vmax ?? last?.vmax ?? 1,
                                    label: label, format: format)
    }
}

/// Data → device mapping of one axes. Data limits map onto the centres of the frame's edge
/// pixels, where the 1-pixel spines are drawn.
struct Transform {
    let frame: Rect
    let x: (Double, Double)
    let y: (Double, Double)

    var left: Double { frame.minX + 0.5 }
    var right: Double { frame.maxX - 0.5 }
    var top: Double { frame.minY + 0.5 }
    var bottom: Double { frame.maxY - 0.5 }

    @inline(__always) func px(_ v: Double) -> Double {
        left + (v - x.0) / (x.1 - x.0) * (right - left)
    }
    @inline(__always) func py(_ v: Double) -> Double {
        bottom - (v - y.0) / (y.1 - y.0) * (bottom - top)
    }
    func apply(_ vx: Double, _ vy: Double) -> Point { Point(px(vx), py(vy)) }
    /// Device x → data x.
    func dataX(_ d: Double) -> Double { x.0 + (d - left) / (right - left) * (x.1 - x.0) }
    func dataY(_ d: Double) -> Double { y.0 + (bottom - d) / (bottom - top) * (y.1 - y.0) }
    /// Axes fraction → device.
    func fraction(_ fx: Double, _ fy: Double) -> Point {
        Point(left + fx * (right - left), bottom - fy * (bottom - top))
    }
}
