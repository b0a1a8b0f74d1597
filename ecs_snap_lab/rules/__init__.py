"""Parameter rules and the error catalogue: the seed's table as data, and the checks that cite it."""
