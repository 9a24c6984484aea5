"""Rules of the standard: functions over the loaded branch that yield findings."""
