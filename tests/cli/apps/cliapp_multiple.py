"""Two apps, none called ``app``: discovery must ask which one."""

from erlen import Erlen

first = Erlen(__name__)
second = Erlen(__name__)
