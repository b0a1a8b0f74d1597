"""pandas frames and matplotlib charts over a lab. Importing this package loads pandas; the core never does."""
