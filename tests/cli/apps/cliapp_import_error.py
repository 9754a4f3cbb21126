"""A module whose own import fails."""

import cliapp_module_that_does_not_exist  # noqa: F401
