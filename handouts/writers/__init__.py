"""Writers: outlines and handouts turned into printable files."""
