"""The blog of seed 003 as an acceptance test: the same code on Flask and erlen."""
