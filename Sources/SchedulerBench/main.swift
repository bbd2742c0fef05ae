print("scheduler bench: not written yet")
