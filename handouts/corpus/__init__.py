"""The corpus: raw documents cleaned and split into sections, then loaded as a whole."""
