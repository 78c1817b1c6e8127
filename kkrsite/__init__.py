"""kkrsite: a static site generator for the five Danish KKR."""

__version__ = "0.1.0"
