"""Fixture templates and helpers for the web-layer differential tests."""
