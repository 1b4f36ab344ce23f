"""The unified pre-departure package: its content model, assembly for one person, the PDF."""
