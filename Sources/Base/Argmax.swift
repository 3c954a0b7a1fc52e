/// The index of the largest value (the first one on ties, as numpy's `argmax`); 0 for an
/// empty collection.
public func argmax<C: Collection>(_ values: C) -> Int where C.Element == Float {
    var best = 0
    var bestValue = -Float.infinity
    for (i, v) in values.enumerated() where i == 0 || v > bestValue {
        best = i
        bestValue = v
    }
    return best
}

/// `argmax` of row `row` of a row-major (rows × classes) matrix.
public func argmax(_ matrix: [Float], row: Int, classes: Int) -> Int {
    argmax(matrix[(row * classes)..<((row + 1) * classes)])
}
