"""Readers: one module per input format, each turning a file into a ``RawDocument``.

``read_document(path)`` picks the reader by the file's extension (``base.READERS``);
importing this package registers every reader.
"""

from handouts.readers import docx, html, md, pdf, txt
from handouts.readers.base import CONVERT, READERS, RawDocument, read_document

__all__ = ["CONVERT", "READERS", "RawDocument", "docx", "html", "md", "pdf", "read_document", "txt"]
