"""The web layer against Flask 3.1: templates, sessions, flash, signals, JSON, logging.

Every test builds the same app on Flask (the oracle) and on erlen and compares what a
user can observe.  Fixture apps, templates and the comparison helpers are in ``apps/``.
"""
