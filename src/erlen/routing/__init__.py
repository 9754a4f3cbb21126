"""URL routing: rules, converters, the URL map, matching and URL building.

The public names are those of ``werkzeug.routing``, so code importing them ports by
changing the import.  ``app.url_map`` is a :class:`Map`.
"""

from ..exceptions import MethodNotAllowed, NotFound
from .converters import (
    AnyConverter,
    BaseConverter,
    FloatConverter,
    IntegerConverter,
    NumberConverter,
    PathConverter,
    UnicodeConverter,
    UUIDConverter,
    ValidationError,
)
from .exceptions import (
    BuildError,
    NoMatch,
    RequestAliasRedirect,
    RequestPath,
    RequestRedirect,
    RoutingException,
    WebsocketMismatch,
)
from .map import Map, MapAdapter
from .rules import (
    EndpointPrefix,
    Rule,
    RuleFactory,
    RuleTemplate,
    RuleTemplateFactory,
    Subdomain,
    Submount,
)

__all__ = [
    "AnyConverter",
    "BaseConverter",
    "BuildError",
    "EndpointPrefix",
    "FloatConverter",
    "IntegerConverter",
    "Map",
    "MapAdapter",
    "MethodNotAllowed",
    "NoMatch",
    "NotFound",
    "NumberConverter",
    "PathConverter",
    "RequestAliasRedirect",
    "RequestPath",
    "RequestRedirect",
    "RoutingException",
    "Rule",
    "RuleFactory",
    "RuleTemplate",
    "RuleTemplateFactory",
    "Subdomain",
    "Submount",
    "UUIDConverter",
    "UnicodeConverter",
    "ValidationError",
    "WebsocketMismatch",
]
