import NeuralNet
import XCTest

/// The three ways `Standardizer` pools its statistics, by hand on x = [[1, 10], [3, 30]].
final class StandardizerScopeTests: XCTestCase {
    let x: [Float] = [1, 10, 3, 30]

    func testPerCoefficientCentredAndGlobalByHand() {
        let per = Standardizer.fit(x: x, count: 2, features: 2, scope: .perCoefficient)
        XCTAssertEqual(per.mean, [2, 20])
        XCTAssertEqual(per.std, [1, 10])
        // Own means, one deviation: deviations −1, −10, 1, 10 → √(202 / 4).
        let centred = Standardizer.fit(x: x, count: 2, features: 2, scope: .centred)
        XCTAssertEqual(centred.mean, [2, 20])
        XCTAssertEqual(centred.std[0], Float((202.0 / 4).squareRoot()), accuracy: 1e-6)
        XCTAssertEqual(centred.std[0], centred.std[1])
        // One mean (11) and one deviation: −10, −1, −8, 19 → √(526 / 4).
        let global = Standardizer.fit(x: x, count: 2, features: 2, scope: .global)
        XCTAssertEqual(global.mean, [11, 11])
        XCTAssertEqual(global.std[0], Float((526.0 / 4).squareRoot()), accuracy: 1e-6)
        XCTAssertEqual(global.std[0], global.std[1])
        // Global keeps the coefficients' relative scale; per-coefficient does not.
        let g = global.apply(x), p = per.apply(x)
        XCTAssertEqual(Double(g[3] - g[1]) / Double(g[2] - g[0]), 10, accuracy: 1e-5)
        XCTAssertEqual(p[3] - p[1], p[2] - p[0])
    }

    func testConstantInputsDoNotDivideByZero() {
        let s = Standardizer.fit(x: [5, 5, 5, 5], count: 2, features: 2, scope: .global)
        XCTAssertEqual(s.std, [1, 1])
        XCTAssertEqual(s.apply([5, 5]), [0, 0])
    }
}
