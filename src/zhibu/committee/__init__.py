"""For higher committees: checking many branch repositories at once."""
