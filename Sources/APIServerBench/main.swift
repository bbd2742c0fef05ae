// Load generator for Scripts/bench/apiserver.
print("APIServerBench: not written yet")
