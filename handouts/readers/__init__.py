"""Readers: one module per input format, each turning a file into raw text and hints."""
