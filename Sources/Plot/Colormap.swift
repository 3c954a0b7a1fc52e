import Foundation

/// A listed colormap: N RGB entries looked up the way matplotlib's `Colormap.__call__` does for
/// floats (index = ⌊x·N⌋, clamped to the ends), so that our colours equal matplotlib's exactly.
public struct Colormap: Sendable {
    public let name: String
    /// Flat r, g, b triples.
    let table: [Float]

    public var count: Int { table.count / 3 }

    public init(name: String, table: [Float]) {
        precondition(table.count >= 6 && table.count % 3 == 0, "Colormap \(name): table must hold RGB triples")
        self.name = name
        self.table = table
    }

    public init(name: String, colors: [Color]) {
        self.init(name: name, table: colors.flatMap { [$0.r, $0.g, $0.b] })
    }

    /// Entry `i` of the table.
    public subscript(index: Int) -> Color {
        Color(table[3 * index], table[3 * index + 1], table[3 * index + 2])
    }

    /// The colour for a normalised value; values outside 0...1 take the end colours and NaN is
    /// transparent (matplotlib's default "bad" colour).
    public func color(at x: Double) -> Color {
        guard !x.isNaN else { return .clear }
        return self[index(x)]
    }

    @inline(__always) func index(_ x: Double) -> Int {
        let n = count
        if x < 0 { return 0 }
        if x >= 1 { return n - 1 }
        return min(n - 1, Int(x * Double(n)))
    }

    /// Maps values through `vmin...vmax` to flat RGB triples (NaN becomes white).
    public func rgb(_ values: [Float], vmin: Double, vmax: Double) -> [Float] {
        let span = vmax - vmin
        let scale = span != 0 ? 1 / span : 0
        var out = [Float](repeating: 1, count: 3 * values.count)
        table.withUnsafeBufferPointer { t in
            for (i, v) in values.enumerated() where !v.isNaN {
                let k = 3 * index((Double(v) - vmin) * scale)
                out[3 * i] = t[k]; out[3 * i + 1] = t[k + 1]; out[3 * i + 2] = t[k + 2]
            }
        }
        return out
    }

    /// The same colours in reverse order (matplotlib's `_r` maps).
    public var reversed: Colormap {
        var t: [Float] = []
        t.reserveCapacity(table.count)
        for i in stride(from: count - 1, through: 0, by: -1) { t += table[(3 * i)..<(3 * i + 3)] }
        return Colormap(name: name + "_r", table: t)
    }

    public static let magma = Colormap(name: "magma", table: magmaTable)
    public static let viridis = Colormap(name: "viridis", table: viridisTable)
    /// matplotlib's (and seaborn's) sequential "Blues", the usual confusion-matrix map.
    public static let blues = Colormap(name: "Blues", table: bluesTable)
    /// matplotlib's diverging "RdBu_r" (blue for low, white in the middle, red for high), for
    /// signed values such as z-scores.
    public static let rdBu = Colormap(name: "RdBu_r", table: rdBuTable)
}

/// Colour cycles as data.
public enum Palette {
    /// seaborn's default qualitative palette, `sns.color_palette("deep")`.
    public static let deep: [Color] = ["#4C72B0", "#DD8452", "#55A868", "#C44E52", "#8172B3",
                                       "#937860", "#DA8BC3", "#8C8C8C", "#CCB974", "#64B5CD"].map { Color(hex: $0) }
    /// matplotlib's default line-colour cycle (`tab10`, "C0"…"C9").
    public static let tab10: [Color] = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                        "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"].map { Color(hex: $0) }
}
