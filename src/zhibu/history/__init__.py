"""What git history says about the records (留痕), read into values for the rules."""
