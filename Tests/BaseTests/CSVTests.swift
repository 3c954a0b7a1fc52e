import XCTest
import Base

final class CSVTests: XCTestCase {
    func testCSVRoundTripWithCommasAndQuotes() throws {
        let rows = [["a,b", "say \"hi\"", "plain"], ["", "x\ny", "3"]]
        let text = CSV.encode(header: ["p", "q", "r"], rows: rows)
        let back = try CSV.decode(text, source: "t.csv")
        XCTAssertEqual(back.header, ["p", "q", "r"])
        XCTAssertEqual(back.rows, rows)
        XCTAssertThrowsError(try CSV.decode("a,b\n1,2,3\n", source: "bad.csv")) { e in
            XCTAssertTrue("\(e)".contains("bad.csv"))
        }
    }
}
