"""Content: themes, selection, key points, questions and the outline they make."""
