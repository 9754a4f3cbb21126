"""HTTP status codes: reason phrases, WSGI status lines and status parsing.

The reason table is the one Werkzeug (and therefore Flask) uses, so error pages,
``Response.status`` and ``str(exc)`` read the same under erlen. Status lines for every
known code are built once at import time because a response needs one on every request.
"""

from __future__ import annotations

__all__ = ["HTTP_STATUS_CODES", "STATUS_LINES", "parse_status", "status_line"]

#: Reason phrase for each status code erlen knows by name. Werkzeug-compatible, including
#: its spellings that differ from the RFCs (``203 Non Authoritative Information``,
#: ``414 Request URI Too Long``, ``511 Network Authentication Failed``) and the
#: unofficial codes 306, 418 and 449.
HTTP_STATUS_CODES: dict[int, str] = {
    100: "Continue",
    101: "Switching Protocols",
    102: "Processing",
    103: "Early Hints",
    200: "OK",
    201: "Created",
    202: "Accepted",
    203: "Non Authoritative Information",
    204: "No Content",
    205: "Reset Content",
    206: "Partial Content",
    207: "Multi Status",
    208: "Already Reported",
    226: "IM Used",
    300: "Multiple Choices",
    301: "Moved Permanently",
    302: "Found",
    303: "See Other",
    304: "Not Modified",
    305: "Use Proxy",
    306: "Switch Proxy",
    307: "Temporary Redirect",
    308: "Permanent Redirect",
    400: "Bad Request",
    401: "Unauthorized",
    402: "Payment Required",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    407: "Proxy Authentication Required",
    408: "Request Timeout",
    409: "Conflict",
    410: "Gone",
    411: "Length Required",
    412: "Precondition Failed",
    413: "Request Entity Too Large",
    414: "Request URI Too Long",
    415: "Unsupported Media Type",
    416: "Requested Range Not Satisfiable",
    417: "Expectation Failed",
    418: "I'm a teapot",
    421: "Misdirected Request",
    422: "Unprocessable Entity",
    423: "Locked",
    424: "Failed Dependency",
    425: "Too Early",
    426: "Upgrade Required",
    428: "Precondition Required",
    429: "Too Many Requests",
    431: "Request Header Fields Too Large",
    449: "Retry With",
    451: "Unavailable For Legal Reasons",
    500: "Internal Server Error",
    501: "Not Implemented",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
    505: "HTTP Version Not Supported",
    506: "Variant Also Negotiates",
    507: "Insufficient Storage",
    508: "Loop Detected",
    510: "Not Extended",
    511: "Network Authentication Failed",
}

#: WSGI status line (``"404 NOT FOUND"``) for each code in :data:`HTTP_STATUS_CODES`,
#: upper-cased as a Werkzeug/Flask response reports ``response.status`` for a bare code.
#: Built at import time: renaming a code in the table later does not change its line.
STATUS_LINES: dict[int, str] = {
    code: f"{code} {reason.upper()}" for code, reason in HTTP_STATUS_CODES.items()
}


def status_line(code: int) -> str:
    """Return the WSGI status line a response with numeric status ``code`` sends.

    Known codes come from the precomputed :data:`STATUS_LINES`; a code added to
    :data:`HTTP_STATUS_CODES` at runtime is still named, and any other integer gets
    ``"<code> UNKNOWN"`` (e.g. ``"599 UNKNOWN"``), as in Werkzeug.
    """
    line = STATUS_LINES.get(code)
    if line is not None:
        return line
    code = int(code)
    reason = HTTP_STATUS_CODES.get(code)
    if reason is None:
        return f"{code} UNKNOWN"
    return f"{code} {reason.upper()}"


def parse_status(status: str | int) -> tuple[int, str]:
    """Turn a status given to a response into ``(status_code, status_line)``.

    Accepts what a Werkzeug response's ``status`` accepts:

    - an ``int`` or :class:`http.HTTPStatus`: the line is looked up
      (``404 -> (404, "404 NOT FOUND")``, ``599 -> (599, "599 UNKNOWN")``);
    - a string of digits, optionally padded: treated like the number (``" 404 "``);
    - ``"<code> <reason>"``: kept verbatim after trimming, so a custom reason such as
      ``"299 My Reason"`` reaches the client unchanged;
    - any other non-blank string: code ``0`` and the line ``"0 <text>"``, because
      Werkzeug accepts a reason-only status that way.

    Raises :class:`ValueError` for an empty or blank string and :class:`TypeError` for
    anything that is neither ``str`` nor ``int``.
    """
    if isinstance(status, int):
        code = int(status)
        return code, status_line(code)
    if not isinstance(status, str):
        raise TypeError(
            f"A response status must be an int, HTTPStatus or str such as '404 Not Found',"
            f" not {type(status).__name__}."
        )
    text = status.strip()
    if not text:
        raise ValueError(
            "Empty status argument: give a code such as 404 or a line such as '404 Not Found'."
        )
    code_text, space, _ = text.partition(" ")
    try:
        code = int(code_text)
    except ValueError:
        return 0, f"0 {text}"
    if space:
        return code, text
    return code, status_line(code)
