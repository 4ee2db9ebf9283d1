"""The workbench: ``handouts serve``, a local web page over the library (see app.py)."""
