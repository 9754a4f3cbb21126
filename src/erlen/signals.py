"""Signals (blinker), the same set and arguments as Flask's.

Connect with ``template_rendered.connect(receiver, app)``.  erlen only sends a signal
when something is connected to it, so unused signals cost nothing per request.
"""

from __future__ import annotations

from blinker import Namespace

__all__ = [
    "Namespace",
    "appcontext_popped",
    "appcontext_pushed",
    "appcontext_tearing_down",
    "before_render_template",
    "got_request_exception",
    "message_flashed",
    "request_finished",
    "request_started",
    "request_tearing_down",
    "template_rendered",
]

_signals = Namespace()

#: Sent after a template was rendered: ``sender=app, template=, context=``.
template_rendered = _signals.signal("template-rendered")
#: Sent before a template is rendered: ``sender=app, template=, context=``.
before_render_template = _signals.signal("before-render-template")
#: Sent when a request starts, before routing hooks: ``sender=app``.
request_started = _signals.signal("request-started")
#: Sent when the response is ready: ``sender=app, response=``.
request_finished = _signals.signal("request-finished")
#: Sent during request teardown: ``sender=app, exc=``.
request_tearing_down = _signals.signal("request-tearing-down")
#: Sent for an unhandled exception, before the 500 handler: ``sender=app, exception=``.
got_request_exception = _signals.signal("got-request-exception")
#: Sent during app context teardown: ``sender=app, exc=``.
appcontext_tearing_down = _signals.signal("appcontext-tearing-down")
#: Sent when an app context is pushed: ``sender=app``.
appcontext_pushed = _signals.signal("appcontext-pushed")
#: Sent when an app context is popped: ``sender=app``.
appcontext_popped = _signals.signal("appcontext-popped")
#: Sent when a message is flashed: ``sender=app, message=, category=``.
message_flashed = _signals.signal("message-flashed")


_per_request_signals = (
    request_started,
    request_finished,
    request_tearing_down,
    appcontext_pushed,
    appcontext_popped,
    appcontext_tearing_down,
    got_request_exception,
)

#: Whether any signal sent on every request has receivers.  Kept up to date on
#: connect and disconnect, so the request path reads one flag instead of asking seven
#: signals.  (Receivers that disappear by garbage collection leave it set: harmless,
#: it only sends requests down the general path.)
request_signals_active = False


def _recompute(_signal: object, **kwargs: object) -> None:
    global request_signals_active
    request_signals_active = any(signal.receivers for signal in _per_request_signals)


for _signal in _per_request_signals:
    _signal.receiver_connected.connect(_recompute)
    _signal.receiver_disconnected.connect(_recompute)
del _signal
