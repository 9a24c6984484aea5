"""Storage: YAML files, the branch layout, git. Each third-party library lives in one module here."""
