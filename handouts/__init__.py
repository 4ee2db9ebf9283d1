"""handouts: Chinese study texts in, printed study handouts out."""

__version__ = "0.1.0"
