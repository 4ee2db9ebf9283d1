"""The PDF writer: HTML through WeasyPrint, CJK justification, fonts, booklets."""
