// LogisticRegression (issue 23) against scikit-learn: tools/make_logistic_fixture.py fits
// LogisticRegression(C=1.0 and 0.1, lbfgs, tol=1e-10, multinomial) on three seeded, standardised
// float32 datasets and writes Fixtures/logistic.json. The optimum is unique (Σ intercepts = 0
// fixes the one flat direction), so any correct optimiser reaches it: coefficients, intercepts
// and probabilities within 1e-4. Then properties checked by hand, bad inputs, determinism.
import Foundation
import NeuralNet
import XCTest

final class LogisticRegressionTests: XCTestCase {
    struct Case: Decodable {
        let name: String
        let samples: Int, features: Int, classes: Int
        let C: Double
        let x: [Float]
        let labels: [Int]
        let coef: [Double], intercept: [Double], proba: [Double]
    }
    struct Fixture: Decodable { let sklearn: String; let cases: [Case] }

    static func fixture() throws -> Fixture {
        // Next to this file (NeuralNetTests declares no resources).
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/logistic.json")
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }

    static func maxAbsDiff<A: BinaryFloatingPoint, B: BinaryFloatingPoint>(_ a: [A], _ b: [B]) -> Double {
        precondition(a.count == b.count)
        var m = 0.0
        for (u, v) in zip(a, b) { m = max(m, abs(Double(u) - Double(v))) }
        return m
    }

    func testCoefficientsInterceptsAndProbabilitiesMatchScikitLearn() throws {
        let fixture = try Self.fixture()
        XCTAssertEqual(fixture.cases.count, 6)
        print("LogisticRegression vs scikit-learn \(fixture.sklearn) (max |difference|):")
        for t in fixture.cases {
            let model = try LogisticRegression.fit(x: t.x, samples: t.samples, features: t.features, labels: t.labels,
                                                   classes: t.classes, c: t.C)
            XCTAssertTrue(model.converged, t.name)
            let dw = Self.maxAbsDiff(model.weights, t.coef)
            let db = Self.maxAbsDiff(model.intercepts, t.intercept)
            let dp = Self.maxAbsDiff(model.probabilities(t.x, samples: t.samples), t.proba)
            print("  \(t.name): coef \(dw), intercept \(db), proba \(dp) (\(model.iterations) iterations, ‖g‖∞ \(model.gradientNorm))")
            XCTAssertLessThan(dw, 1e-4, "\(t.name) coef_")
            XCTAssertLessThan(db, 1e-4, "\(t.name) intercept_")
            XCTAssertLessThan(dp, 1e-4, "\(t.name) predict_proba")
        }
    }

    /// At the minimum the objective's gradient vanishes. Computed here independently of the
    /// implementation: N·∇_W = (P − Y)ᵀ X + W / C, N·∇_b = Σ_i (p_i − y_i).
    func testGradientVanishesAtTheSolutionAndProbabilitiesSumToOne() throws {
        for t in try Self.fixture().cases {
            let model = try LogisticRegression.fit(x: t.x, samples: t.samples, features: t.features, labels: t.labels,
                                                   classes: t.classes, c: t.C)
            let (n, f, k) = (t.samples, t.features, t.classes)
            var gW = [Double](repeating: 0, count: k * f), gb = [Double](repeating: 0, count: k)
            for i in 0..<n {
                let logits = (0..<k).map { c in
                    model.intercepts[c] + (0..<f).reduce(0.0) { $0 + model.weights[c * f + $1] * Double(t.x[i * f + $1]) }
                }
                let top = logits.max()!
                let e = logits.map { exp($0 - top) }
                let total = e.reduce(0, +)
                for c in 0..<k {
                    let r = e[c] / total - (t.labels[i] == c ? 1 : 0)
                    gb[c] += r
                    for j in 0..<f { gW[c * f + j] += r * Double(t.x[i * f + j]) }
                }
            }
            for j in 0..<(k * f) { gW[j] = (gW[j] + model.weights[j] / t.C) / Double(n) }
            let gradient = (gW + gb.map { $0 / Double(n) }).map(abs).max()!
            XCTAssertLessThan(gradient, 1e-7, "\(t.name): ‖∇f‖∞ at the solution")
            XCTAssertEqual(model.intercepts.reduce(0, +), 0, accuracy: 1e-12, "\(t.name): intercepts are centred")

            let p = model.probabilities(t.x, samples: n)
            let predicted = model.predict(t.x, samples: n)
            for i in 0..<n {
                let row = p[(i * k)..<((i + 1) * k)]
                XCTAssertEqual(row.reduce(0, +), 1, accuracy: 1e-5, "\(t.name) sample \(i)")
                XCTAssertTrue(row.allSatisfy { $0 >= 0 && $0 <= 1 })
                XCTAssertEqual(row[row.startIndex + predicted[i]], row.max()!, "\(t.name) sample \(i): predict is the most probable")
            }
        }
    }

    func testBadInputsThrow() {
        let x: [Float] = [0, 1, 1, 0, -1, 0, 0, -1]   // 4 × 2
        let y = [0, 1, 2, 0]
        func fails(_ expected: LogisticRegressionError, x: [Float] = x, samples: Int = 4, features: Int = 2,
                   labels: [Int] = y, classes: Int = 3, c: Double = 1, line: UInt = #line) {
            XCTAssertThrowsError(try LogisticRegression.fit(x: x, samples: samples, features: features, labels: labels,
                                                            classes: classes, c: c), line: line) { error in
                XCTAssertEqual(error as? LogisticRegressionError, expected, line: line)
                XCTAssertFalse(String(describing: error).isEmpty)
            }
        }
        XCTAssertNoThrow(try LogisticRegression.fit(x: x, samples: 4, features: 2, labels: y, classes: 3))
        fails(.sizeMismatch("7 values for 4 samples × 2 features"), x: Array(x.dropLast()))
        fails(.sizeMismatch("3 labels for 4 samples"), labels: [0, 1, 2])
        fails(.labelOutOfRange(sample: 2, label: 3, classes: 3), labels: [0, 1, 3, 0])
        fails(.labelOutOfRange(sample: 1, label: -1, classes: 3), labels: [0, -1, 2, 0])
        fails(.nonFiniteValue(sample: 2, feature: 1), x: [0, 1, 1, 0, -1, .nan, 0, -1])
        fails(.nonFiniteValue(sample: 0, feature: 0), x: [.infinity, 1, 1, 0, -1, 0, 0, -1])
        fails(.tooFewClassesPresent(1), labels: [2, 2, 2, 2])
        fails(.invalidParameter("classes must be ≥ 2 (got 1)"), labels: [0, 0, 0, 0], classes: 1)
        fails(.invalidParameter("C must be positive and finite (got 0.0)"), c: 0)
        fails(.invalidParameter("C must be positive and finite (got inf)"), c: .infinity)
        fails(.invalidParameter("samples must be ≥ 1 (got 0)"), x: [], samples: 0, labels: [])
        fails(.invalidParameter("features must be ≥ 1 (got 0)"), x: [], features: 0)
        XCTAssertThrowsError(try LogisticRegression.fit(x: x, samples: 4, features: 2, labels: y, classes: 3, tolerance: -1))
        XCTAssertThrowsError(try LogisticRegression.fit(x: x, samples: 4, features: 2, labels: y, classes: 3, maxIterations: 0))
    }

    /// Plain loops in one order, no BLAS, no threads: two fits are the same bits.
    func testTwoFitsAreTheSameBits() throws {
        let t = try Self.fixture().cases.first { $0.name.hasPrefix("blobs-7") }!
        let a = try LogisticRegression.fit(x: t.x, samples: t.samples, features: t.features, labels: t.labels,
                                           classes: t.classes, c: t.C)
        let b = try LogisticRegression.fit(x: t.x, samples: t.samples, features: t.features, labels: t.labels,
                                           classes: t.classes, c: t.C)
        XCTAssertEqual(a.weights.map(\.bitPattern), b.weights.map(\.bitPattern))
        XCTAssertEqual(a.intercepts.map(\.bitPattern), b.intercepts.map(\.bitPattern))
        XCTAssertEqual(a.iterations, b.iterations)
        XCTAssertEqual(a.probabilities(t.x, samples: t.samples).map(\.bitPattern),
                       b.probabilities(t.x, samples: t.samples).map(\.bitPattern))
        XCTAssertEqual(a, b)
    }

    /// A model built from coefficients predicts with them (the value round-trips).
    func testAModelFromCoefficientsPredictsLikeTheFittedOne() throws {
        let t = try Self.fixture().cases[0]
        let fitted = try LogisticRegression.fit(x: t.x, samples: t.samples, features: t.features, labels: t.labels,
                                                classes: t.classes, c: t.C)
        let rebuilt = LogisticRegression(classes: fitted.classes, features: fitted.features,
                                         weights: fitted.weights, intercepts: fitted.intercepts)
        XCTAssertEqual(rebuilt, fitted)
        XCTAssertEqual(rebuilt.probabilities(t.x, samples: t.samples), fitted.probabilities(t.x, samples: t.samples))
        XCTAssertEqual(rebuilt.predict(t.x, samples: t.samples), fitted.predict(t.x, samples: t.samples))
    }
}
