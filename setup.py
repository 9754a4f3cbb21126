"""Build the optional C accelerator; everything else is in pyproject.toml.

``erlen._speedups`` is optional: without a C compiler the build goes on and
erlen uses the pure-Python twins of its functions (the reference the tests compare
the C ones with).
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "erlen._speedups",
            sources=["src/erlen/_speedups.c"],
            optional=True,
        )
    ]
)
