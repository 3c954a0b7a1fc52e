import ArgumentParser
import Foundation
import Study

extension StudyCommand {
    /// `study verify`: a thin layer over `Verification` (Study), which does the work.
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recompute an output folder's reproducibility digest and compare it.",
            discussion: """
            Recomputes the SHA-256 of the run's features, model, predictions and figures (and of each \
            chapter's outputs) from the files of the folder, and compares them with the digest its \
            summary.json recorded and, for a default run (`make study`), with the README's. With \
            --against, compares two output folders of any options instead. Says which parts differ, the \
            first chapter whose outputs differ, and any difference in options or library versions. \
            Exit status: 0 equal, 1 different, 2 the folder cannot be verified (missing folder or summary).
            """)

        @Option(help: "The output folder to verify.")
        var output: String = "output"

        @Option(help: "Another output folder to compare with (any options).")
        var against: String?

        @Flag(help: .hidden)
        var printDefaultDigest = false

        func run() throws {
            do {
                if printDefaultDigest {
                    print(try Verification.defaultDigestLiteral(output: URL(fileURLWithPath: output), shown: output))
                    return
                }
                let outcome = try Verification.verify(output: URL(fileURLWithPath: output), shown: output,
                                                      against: against.map { URL(fileURLWithPath: $0) }, againstShown: against)
                print(outcome.text, terminator: "")
                if !outcome.equal { throw ExitCode(1) }
            } catch let failure as Verification.Failure {
                FileHandle.standardError.write(Data("study verify: error: \(failure)\n".utf8))
                throw ExitCode(2)
            }
        }
    }
}
