import Foundation

/// Draws one figure: layout (Layout.swift), then every panel's data, frame, ticks, labels, title,
/// legend (Legend.swift) and colorbar.
final class FigureRenderer {
    let figure: Figure
    let canvas: Canvas
    var texts: [RenderedText] = []
    var plans: [AxesPlan] = []

    // Sizes in pixels, matplotlib's defaults at the figure's dpi.
    let tickLength: Double      // 3.5 pt
    let tickPad: Double         // 3.5 pt
    let labelPad: Double        // 4 pt
    let titlePad: Double        // 6 pt
    let lineUnit: Double        // spines and ticks: 0.8 pt, whole pixels for crispness

    init(figure: Figure) {
        self.figure = figure
        canvas = Canvas(width: figure.width, height: figure.height, background: figure.background)
        tickLength = figure.points(3.5).rounded()
        tickPad = figure.points(3.5)
        labelPad = figure.points(4)
        titlePad = figure.points(6)
        lineUnit = max(1, figure.points(0.8).rounded())
    }

    func font(_ pt: Double, _ weight: FontWeight = .regular) throws -> Font {
        try Font.load(path: figure.fonts.path(weight), pixelSize: figure.points(pt))
    }

    @discardableResult
    func text(_ s: String, font: Font, at p: Point, color: Color = .black, horizontal: HorizontalAlignment,
              vertical: VerticalAlignment, rotation: Double = 0, role: RenderedText.Role, axes: Int?) -> Rect {
        let box = canvas.draw(text: s, font: font, at: p, color: color, horizontal: horizontal, vertical: vertical,
                              rotation: rotation)
        texts.append(RenderedText(role: role, text: s, box: box, axesIndex: axes))
        return box
    }

    func render() throws -> Rendering {
        // Fail early, before any work, when a font is missing.
        _ = try font(10)
        _ = try font(10, .bold)
        try layout()
        if let t = figure.title, !t.isEmpty {
            text(t, font: try font(figure.titleSize), at: Point(Double(figure.width) / 2, figure.points(figure.padding)),
                 horizontal: .center, vertical: .top, role: .figureTitle, axes: nil)
        }
        for i in figure.axes.indices { try drawAxes(i) }
        return Rendering(canvas: canvas, texts: texts)
    }

    // MARK: Panels

    func drawAxes(_ i: Int) throws {
        let ax = figure.axes[i]
        let plan = plans[i]
        let f = plan.frame
        let tr = plan.transform
        ax.frame = f
        ax.viewLimits = (plan.xLim, plan.yLim)

        // Grid lines under the data (matplotlib's seaborn styles draw them below).
        let gridColor = Color(gray: 0.88)
        if ax.xGrid { for v in plan.xTicks.values { canvas.fill(vLine(tr.px(v), f, width: lineUnit), color: gridColor) } }
        if ax.yGrid { for v in plan.yTicks.values { canvas.fill(hLine(tr.py(v), f, width: lineUnit), color: gridColor) } }

        let ordered = ax.elements.enumerated().sorted { ($0.element.zOrder, $0.offset) < ($1.element.zOrder, $1.offset) }
        for (_, element) in ordered { try draw(element, tr: tr, frame: f, axesIndex: i) }

        if !ax.axisOff {
            if ax.showFrame { drawFrame(f) }
            let tickFont = try font(ax.tickFontSize)
            let labelFont = try font(ax.labelFontSize)
            var below = f.maxY
            for (v, label) in zip(plan.xTicks.values, plan.xTicks.labels) {
                let x = tr.px(v)
                canvas.fill(vTick(x, f, from: f.maxY, length: tickLength), color: .black)
                let box = text(label, font: tickFont, at: Point(x, f.maxY + tickLength + tickPad), horizontal: xTickPlacement(plan.xTicks),
                               vertical: .top, rotation: plan.xTicks.rotation, role: .xTickLabel, axes: i)
                below = max(below, box.maxY)
            }
            if !plan.xTicks.values.isEmpty { below = max(below, f.maxY + tickLength) }
            below = max(below, f.maxY + plan.xLabelOffset)
            if let xl = ax.xLabel, !xl.isEmpty {
                text(xl, font: labelFont, at: Point(f.midX, below + labelPad), horizontal: .center, vertical: .top,
                     role: .xLabel, axes: i)
            }
            var beside = f.minX
            for (v, label) in zip(plan.yTicks.values, plan.yTicks.labels) {
                let y = tr.py(v)
                canvas.fill(hTick(y, f, from: f.minX - tickLength, length: tickLength), color: .black)
                let box = text(label, font: tickFont, at: Point(f.minX - tickLength - tickPad, y), horizontal: .right,
                               vertical: .centerBaseline, role: .yTickLabel, axes: i)
                beside = min(beside, box.minX)
            }
            if !plan.yTicks.values.isEmpty { beside = min(beside, f.minX - tickLength) }
            beside = min(beside, f.minX - plan.yLabelOffset)
            if let yl = ax.yLabel, !yl.isEmpty {
                text(yl, font: labelFont, at: Point(beside - labelPad, f.midY), horizontal: .right, vertical: .center,
                     rotation: 90, role: .yLabel, axes: i)
            }
        }
        if let title = ax.title, !title.isEmpty {
            text(title, font: try font(ax.titleSize), at: Point(f.midX, f.minY - titlePad), horizontal: .center,
                 vertical: .bottom, role: .title, axes: i)
        }
        if let loc = ax.legendLocation { try drawLegend(ax, location: loc, tr: tr, frame: f, axesIndex: i) }
        if let cb = ax.colorbarSpec { try drawColorbar(cb, ticks: plan.colorbarTicks, frame: f, axesIndex: i) }
    }

    /// The frame drawn on the plotting area's edge pixels (data limits map onto their centres).
    func drawFrame(_ f: Rect) {
        let w = lineUnit
        for r in [Rect(x: f.minX, y: f.minY, width: w, height: f.height), Rect(x: f.maxX - w, y: f.minY, width: w, height: f.height),
                  Rect(x: f.minX, y: f.minY, width: f.width, height: w), Rect(x: f.minX, y: f.maxY - w, width: f.width, height: w)] {
            canvas.fill(r, color: .black)
        }
    }

    /// Whole-pixel column holding device x (clamped to the frame, so edge ticks meet the spines).
    func pixelColumn(_ x: Double, _ f: Rect, width: Double) -> Double {
        min(max(floor(x - (width - 1) / 2), f.minX), f.maxX - width)
    }

    func pixelRow(_ y: Double, _ f: Rect, width: Double) -> Double {
        min(max(floor(y - (width - 1) / 2), f.minY), f.maxY - width)
    }

    func vTick(_ x: Double, _ f: Rect, from y: Double, length: Double) -> Rect {
        Rect(x: pixelColumn(x, f, width: lineUnit), y: y, width: lineUnit, height: length)
    }

    func hTick(_ y: Double, _ f: Rect, from x: Double, length: Double) -> Rect {
        Rect(x: x, y: pixelRow(y, f, width: lineUnit), width: length, height: lineUnit)
    }

    func vLine(_ x: Double, _ f: Rect, width: Double) -> Rect {
        Rect(x: pixelColumn(x, f, width: width), y: f.minY, width: width, height: f.height)
    }

    func hLine(_ y: Double, _ f: Rect, width: Double) -> Rect {
        Rect(x: f.minX, y: pixelRow(y, f, width: width), width: f.width, height: width)
    }

    // MARK: Data

    func draw(_ element: Element, tr: Transform, frame f: Rect, axesIndex: Int) throws {
        switch element {
        case .line(let l):
            let w = figure.points(l.width)
            let dash = l.dash.pattern(width: w, dpi: figure.dpi)
            var run: [Point] = []
            func flush() {
                if run.count >= 2 { canvas.stroke(run, width: w, color: l.color, dash: dash, cap: dash.isEmpty ? .round : .butt, clip: f) }
                run.removeAll(keepingCapacity: true)
            }
            for (x, y) in zip(l.x, l.y) {
                if x.isFinite && y.isFinite { run.append(tr.apply(x, y)) } else { flush() }
            }
            flush()
            if let m = l.marker {
                for (x, y) in zip(l.x, l.y) where x.isFinite && y.isFinite {
                    drawMarker(m, at: tr.apply(x, y), diameter: figure.points(l.markerSize), color: l.color, edge: nil, clip: f)
                }
            }
        case .fill(let fl):
            var poly: [Point] = []
            for i in fl.x.indices where fl.x[i].isFinite && fl.upper[i].isFinite { poly.append(tr.apply(fl.x[i], fl.upper[i])) }
            for i in fl.x.indices.reversed() where fl.x[i].isFinite && fl.lower[i].isFinite { poly.append(tr.apply(fl.x[i], fl.lower[i])) }
            canvas.fill(Path(polygon: poly), color: fl.color, clip: f)
        case .envelope(let e):
            drawEnvelope(e, tr: tr, frame: f)
        case .bars(let b):
            for (k, (x, h)) in zip(b.x, b.heights).enumerated() where x.isFinite && h.isFinite {
                let r = snapped(Rect(corners: tr.apply(x - b.width / 2, b.bottom), tr.apply(x + b.width / 2, b.bottom + h)))
                canvas.fill(r, color: b.colors[k % b.colors.count], clip: f)
                if let edge = b.edgeColor { strokeRect(r, color: edge, width: lineUnit, radius: 0, clip: f) }
            }
        case .scatter(let s):
            for (k, (x, y)) in zip(s.x, s.y).enumerated() where x.isFinite && y.isFinite {
                drawMarker(s.marker, at: tr.apply(x, y), diameter: figure.points(s.size), color: s.colors[k % s.colors.count],
                           edge: s.edgeColor, clip: f)
            }
        case .image(let img):
            drawImage(img, tr: tr, frame: f)
        case .rect(let r):
            let dev = snapped(Rect(corners: tr.apply(r.rect.x0, r.rect.y0), tr.apply(r.rect.x1, r.rect.y1)))
            let radius = figure.points(r.cornerRadius)
            if let fill = r.fill {
                canvas.fill(radius > 0 ? roundedRect(dev, radius: radius) : .rect(dev), color: fill, clip: f)
            }
            if let edge = r.edge {
                strokeRect(dev, color: edge, width: max(1, figure.points(r.edgeWidth).rounded()), radius: radius, clip: f)
            }
        case .text(let t):
            let p = t.coordinates == .data ? tr.apply(t.x, t.y) : tr.fraction(t.x, t.y)
            text(t.text, font: try font(t.size, t.weight), at: p, color: t.color, horizontal: t.horizontal,
                 vertical: t.vertical, rotation: t.rotation, role: .annotation, axes: axesIndex)
        case .referenceLine(let r):
            let w = figure.points(r.width)
            let dash = r.dash.pattern(width: w, dpi: figure.dpi)
            if r.vertical {
                let x = snapCentre(tr.px(r.value), width: w)
                canvas.stroke([Point(x, f.minY), Point(x, f.maxY)], width: w, color: r.color, dash: dash, clip: f)
            } else {
                let y = snapCentre(tr.py(r.value), width: w)
                canvas.stroke([Point(f.minX, y), Point(f.maxX, y)], width: w, color: r.color, dash: dash, clip: f)
            }
        case .arrow(let a):
            drawArrow(from: tr.apply(a.from.x, a.from.y), to: tr.apply(a.to.x, a.to.y), color: a.color,
                      width: figure.points(a.width), headLength: figure.points(a.headLength),
                      headWidth: figure.points(a.headWidth), clip: f)
        }
    }

    /// Centre of a crisp line of `width` pixels near `v`: on a pixel centre for odd widths, on a
    /// pixel edge for even ones.
    func snapCentre(_ v: Double, width: Double) -> Double {
        Int(width.rounded()) % 2 == 1 ? floor(v) + 0.5 : v.rounded()
    }

    func snapped(_ r: Rect) -> Rect {
        let x0 = r.minX.rounded(), x1 = r.maxX.rounded(), y0 = r.minY.rounded(), y1 = r.maxY.rounded()
        return Rect(x: x0, y: y0, width: max(x1 - x0, r.width > 0 ? 1 : 0), height: max(y1 - y0, r.height > 0 ? 1 : 0))
    }

    func roundedRect(_ r: Rect, radius: Double) -> Path {
        let rad = min(radius, r.width / 2, r.height / 2)
        var pts: [Point] = []
        let corners: [(Double, Double, Double)] = [(r.maxX - rad, r.minY + rad, -90), (r.maxX - rad, r.maxY - rad, 0),
                                                   (r.minX + rad, r.maxY - rad, 90), (r.minX + rad, r.minY + rad, 180)]
        for (cx, cy, start) in corners {
            for k in 0...6 {
                let t = (start + Double(k) * 15) * .pi / 180
                pts.append(Point(cx + rad * cos(t), cy + rad * sin(t)))
            }
        }
        return Path(polygon: pts)
    }

    /// An outline drawn inside the rectangle's whole-pixel edges.
    func strokeRect(_ r: Rect, color: Color, width: Double, radius: Double, clip: Rect?) {
        let inner = r.insetBy(dx: width / 2, dy: width / 2)
        let pts = radius > 0 ? roundedRect(inner, radius: radius).polygons[0]
            : [Point(inner.minX, inner.minY), Point(inner.maxX, inner.minY), Point(inner.maxX, inner.maxY), Point(inner.minX, inner.maxY)]
        canvas.stroke(pts, width: width, color: color, closed: true, clip: clip)
    }

    func drawMarker(_ m: Marker, at p: Point, diameter: Double, color: Color, edge: Color?, clip: Rect?) {
        let r = diameter / 2
        let path: Path
        switch m {
        case .circle: path = .circle(center: p, radius: r)
        case .square: path = .rect(Rect(x: p.x - r, y: p.y - r, width: 2 * r, height: 2 * r))
        case .diamond: path = Path(polygon: [Point(p.x, p.y - r), Point(p.x + r, p.y), Point(p.x, p.y + r), Point(p.x - r, p.y)])
        }
        canvas.fill(path, color: color, clip: clip)
        if let edge { canvas.stroke(path.polygons[0], width: 1, color: edge, closed: true, clip: clip) }
    }

    func drawArrow(from a: Point, to b: Point, color: Color, width: Double, headLength: Double, headWidth: Double, clip: Rect?) {
        let dx = b.x - a.x, dy = b.y - a.y
        let len = (dx * dx + dy * dy).squareRoot()
        guard len > 0 else { return }
        let ux = dx / len, uy = dy / len
        let hl = min(headLength, len)
        let base = Point(b.x - ux * hl, b.y - uy * hl)
        // The shaft stops inside the head so that the tip stays sharp.
        let shaftEnd = Point(b.x - ux * hl * 0.5, b.y - uy * hl * 0.5)
        canvas.stroke([a, shaftEnd], width: width, color: color, clip: clip)
        let nx = -uy * headWidth / 2, ny = ux * headWidth / 2
        canvas.fill(Path(polygon: [b, Point(base.x + nx, base.y + ny), Point(base.x - nx, base.y - ny)]), color: color, clip: clip)
    }

    /// Min/max per pixel column, each column joined to its neighbour's last sample so that steep
    /// slopes stay connected, widened by half the outline, and at least one pixel thick so that
    /// silence stays visible.
    func drawEnvelope(_ e: EnvelopeElement, tr: Transform, frame f: Rect) {
        let n = e.values.count
        guard n > 0 else { return }
        let c0 = Int(f.minX), c1 = Int(f.maxX)
        let half = figure.points(e.outline) / 2
        var tops = [Double](repeating: 0, count: c1 - c0), bottoms = tops
        e.values.withUnsafeBufferPointer { v in
            for c in c0..<c1 {
                let xa = tr.dataX(Double(c) - half), xb = tr.dataX(Double(c + 1) + half)
                let ua = (min(xa, xb) - e.x0) / e.dx, ub = (max(xa, xb) - e.x0) / e.dx
                if ub < 0 || ua > Double(n - 1) { continue }
                var i0 = Int(ceil(ua)), i1 = Int(ceil(ub)) - 1
                if i1 < i0 {
                    // No sample inside the column: span the two samples around its centre.
                    let uc = (ua + ub) / 2
                    i0 = Int(floor(uc)); i1 = Int(ceil(uc))
                } else {
                    i0 -= 1
                }
                i0 = max(0, i0); i1 = min(n - 1, i1)
                guard i0 <= i1 else { continue }
                var lo = v[i0], hi = v[i0]
                for k in i0...i1 { let s = v[k]; if s < lo { lo = s }; if s > hi { hi = s } }
                var top = tr.py(Double(hi)), bottom = tr.py(Double(lo))
                if top > bottom { swap(&top, &bottom) }
                top -= half; bottom += half
                if bottom - top < 1 {
                    let mid = (top + bottom) / 2
                    top = mid - 0.5; bottom = mid + 0.5
                }
                tops[c - c0] = top; bottoms[c - c0] = bottom
            }
        }
        canvas.fillColumnSpans(x0: c0, tops: tops, bottoms: bottoms, color: e.color, clip: f)
    }

    func drawImage(_ img: ImageElement, tr: Transform, frame f: Rect) {
        let e = img.extent
        let ax0 = tr.px(e.x0), ax1 = tr.px(e.x1), ay0 = tr.py(e.y0), ay1 = tr.py(e.y1)
        // Pixels whose centres lie in the extent (edges included), within the frame.
        let tol = 1e-6
        let jStart = max(Int(f.minX), Int(ceil(min(ax0, ax1) - 0.5 - tol)))
        let jEnd = min(Int(f.maxX), Int(floor(max(ax0, ax1) - 0.5 + tol)) + 1)
        let iStart = max(Int(f.minY), Int(ceil(min(ay0, ay1) - 0.5 - tol)))
        let iEnd = min(Int(f.maxY), Int(floor(max(ay0, ay1) - 0.5 + tol)) + 1)
        guard jEnd > jStart, iEnd > iStart else { return }
        // Input coordinates (column, row) of device positions, affine in the device coordinate.
        func u(_ d: Double) -> Double { (tr.dataX(d) - e.x0) / (e.x1 - e.x0) * Double(img.cols) }
        func v(_ d: Double) -> Double {
            let lower = (tr.dataY(d) - e.y0) / (e.y1 - e.y0) * Double(img.rows)
            return img.origin == .lower ? lower : Double(img.rows) - lower
        }
        let colTaps = Resampler.taps(count: jEnd - jStart, inputCount: img.cols, start: u(Double(jStart)),
                                     step: u(Double(jStart + 1)) - u(Double(jStart)), interpolation: img.interpolation)
        let rowTaps = Resampler.taps(count: iEnd - iStart, inputCount: img.rows, start: v(Double(iStart)),
                                     step: v(Double(iStart + 1)) - v(Double(iStart)), interpolation: img.interpolation)
        let values = Resampler.resample(img.values, rows: img.rows, cols: img.cols, rowTaps: rowTaps, colTaps: colTaps)
        let rgb = img.colormap.rgb(values, vmin: img.vmin, vmax: img.vmax)
        canvas.blit(rgb: rgb, width: jEnd - jStart, height: iEnd - iStart, x: jStart, y: iStart, clip: f)
    }

    // MARK: Colorbar

    func drawColorbar(_ cb: ColorbarSpec, ticks: AxisTicks, frame f: Rect, axesIndex: Int) throws {
        let cf = colorbarFrame(f)
        let tr = Transform(frame: cf, x: (0, 1), y: (cb.vmin, cb.vmax))
        let w = Int(cf.width), h = Int(cf.height)
        var rgb = [Float](repeating: 1, count: 3 * w * h)
        let span = cb.vmax - cb.vmin
        for row in 0..<h {
            let value = tr.dataY(cf.minY + Double(row) + 0.5)
            let c = cb.colormap.color(at: span != 0 ? (value - cb.vmin) / span : 0)
            for col in 0..<w { rgb[3 * (row * w + col)] = c.r; rgb[3 * (row * w + col) + 1] = c.g; rgb[3 * (row * w + col) + 2] = c.b }
        }
        canvas.blit(rgb: rgb, width: w, height: h, x: Int(cf.minX), y: Int(cf.minY))
        drawFrame(cf)
        let tickFont = try font(10)
        var right = cf.maxX + tickLength
        for (v, label) in zip(ticks.values, ticks.labels) {
            let y = tr.py(v)
            canvas.fill(hTick(y, cf, from: cf.maxX, length: tickLength), color: .black)
            let box = text(label, font: tickFont, at: Point(cf.maxX + tickLength + tickPad, y), horizontal: .left,
                           vertical: .centerBaseline, role: .colorbarTickLabel, axes: axesIndex)
            right = max(right, box.maxX)
        }
        if let label = cb.label, !label.isEmpty {
            text(label, font: try font(10), at: Point(right + labelPad, cf.midY), horizontal: .left, vertical: .center,
                 rotation: 90, role: .colorbarLabel, axes: axesIndex)
        }
    }
}
