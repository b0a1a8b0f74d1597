"""pandas frames and matplotlib charts over a lab. Importing this package loads pandas; the core never does."""

from .frames import Frames, error_table

__all__ = ["Frames", "error_table"]
