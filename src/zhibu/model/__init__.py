"""The pure data model: values and date arithmetic, no I/O."""
