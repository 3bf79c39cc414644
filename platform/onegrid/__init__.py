"""onegrid: grid governance from policy files."""

__version__ = "0.1.0"
