"""Check results for people and scripts: the printer, the text boundary, the ledger's statistics."""
