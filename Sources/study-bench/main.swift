print("study-bench: not implemented yet")
