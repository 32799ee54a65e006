// yizhan-bench: under construction.
print("yizhan-bench")
