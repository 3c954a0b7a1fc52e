// study-bench: benchmarks that print figures (not timed tests). Dispatch on the first argument;
// each benchmark lives in its own file (NeuralNetBench.swift, FeaturesBench.swift, ...).
import Foundation

let benchArgs = Array(CommandLine.arguments.dropFirst())
switch benchArgs.first {
case "nn": NeuralNetBench.run(Array(benchArgs.dropFirst()))
case "features": runFeaturesBench(arguments: Array(benchArgs.dropFirst()))
case "corpus": runCorpusBench(arguments: Array(benchArgs.dropFirst()))
case "plot": runPlotBench()
default:
    print("""
    usage: study-bench BENCHMARK [options]
      nn [--threads 1,2] [--mode data-parallel,blas] [--epochs N] [--profile]   train/validate the notebook CNN on 2240 + 560 random samples
      features [DIR] [--synthetic N] [--threads T] [--preset notebook|librosa|both]   40 MFCC means per clip, per stage
      plot                                                                        render and write all figures of one study run
      corpus [--words N]                                                          synthesize the TESS-shaped corpus, then scan it
    """)
    exit(benchArgs.isEmpty || benchArgs.first == "--help" ? 0 : 2)
}
