"""Rendering records for people: Word documents, spreadsheets, PDF."""
