"""Every change to a branch: validate, write atomically, commit; edits, imports, plans, packs, closing, hooks, the demo."""
