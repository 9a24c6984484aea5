"""The standard "B+T+X": the layers merged, and the 评星定级 scheme."""
