// llm.c-style tensor comparison: print the max |difference| of every tensor, fail above tolerance.
import Foundation
import NeuralNet
import XCTest

struct TensorCheck {
    let name: String
    let maxAbsDiff: Double
    let maxAbsRef: Double
    var relative: Double { maxAbsRef > 0 ? maxAbsDiff / maxAbsRef : maxAbsDiff }
}

/// Compares `ours` with `ref`; passes when max|a − ref| ≤ relTol · max|ref| + absTol.
/// Prints one line per tensor (name, shape, max abs diff, relative diff, OK/FAIL).
@discardableResult
func checkTensor(_ name: String, _ ours: [Float], _ ref: Tensor, relTol: Double = 1e-4, absTol: Double = 0,
                 file: StaticString = #filePath, line: UInt = #line) -> TensorCheck {
    XCTAssertEqual(ours.count, ref.count, "\(name): \(ours.count) values, reference has \(ref.count) \(ref.shape)",
                   file: file, line: line)
    var maxDiff = 0.0, maxRef = 0.0, worst = 0
    for i in 0..<min(ours.count, ref.count) {
        let d = abs(Double(ours[i]) - Double(ref.data[i]))
        if d > maxDiff || d.isNaN { maxDiff = d; worst = i }
        maxRef = max(maxRef, abs(Double(ref.data[i])))
    }
    let tol = relTol * maxRef + absTol
    let ok = maxDiff <= tol
    let shape = "[" + ref.shape.map(String.init).joined(separator: ",") + "]"
    print(String(format: "  %@ %-28@ %-14@ max|diff| %.3e  rel %.3e  (tol %.1e)", ok ? "OK  " : "FAIL", name as NSString,
                 shape as NSString, maxDiff, maxRef > 0 ? maxDiff / maxRef : maxDiff, tol))
    XCTAssertTrue(ok, "\(name): max|diff| \(maxDiff) at \(worst) (ours \(ours[worst]), ref \(ref.data[worst])) > tol \(tol)",
                  file: file, line: line)
    return TensorCheck(name: name, maxAbsDiff: maxDiff, maxAbsRef: maxRef)
}

/// Exact equality (edge cases made of multiples of 1/8).
func checkExact(_ name: String, _ ours: [Float], _ ref: Tensor, file: StaticString = #filePath, line: UInt = #line) {
    checkTensor(name, ours, ref, relTol: 0, absTol: 0, file: file, line: line)
}
