"""Builders for apps and blueprints that use the fixture templates in this folder."""

from __future__ import annotations

from typing import Any

from .common import APPS_DIR

__all__ = ["templated_app", "templated_blueprint"]


def templated_app(fw: Any, **kwargs: Any) -> Any:
    """An app whose template folder is ``apps/templates``."""
    return fw.App("templated_app", root_path=str(APPS_DIR), **kwargs)


def templated_blueprint(fw: Any, name: str, folder: str, **kwargs: Any) -> Any:
    """A blueprint whose template folder is ``apps/<folder>/templates``."""
    return fw.Blueprint(
        name,
        "templated_app",
        template_folder="templates",
        root_path=str(APPS_DIR / folder),
        **kwargs,
    )
