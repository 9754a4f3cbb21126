"""A module without any app or factory."""

value = 1
