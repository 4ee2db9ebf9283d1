"""Quality figures computed against hand-made references (``tests/data/real/gold``)."""
