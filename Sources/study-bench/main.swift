// study-bench: benchmarks that print figures (not timed tests). Dispatch on the first argument;
// each benchmark lives in its own file (NeuralNetBench.swift, ...).
import Foundation

let benchArgs = Array(CommandLine.arguments.dropFirst())
switch benchArgs.first {
case "nn": NeuralNetBench.run(Array(benchArgs.dropFirst()))
// case "features", "plot", "corpus": added by their modules
default:
    print("""
    usage: study-bench BENCHMARK [options]
      nn [--threads 1,2] [--mode data-parallel,blas] [--epochs N] [--profile]   train/validate the notebook CNN on 2240 + 560 random samples
    """)
    exit(benchArgs.isEmpty || benchArgs.first == "--help" ? 0 : 2)
}
