import ArgumentParser
import Study

print("study: not implemented yet")
