"""Builds: every theme and packet, incrementally, with a manifest."""
