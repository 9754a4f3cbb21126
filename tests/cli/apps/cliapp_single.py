"""The only app in the module, under a name discovery does not look for."""

from erlen import Erlen

web = Erlen(__name__)
