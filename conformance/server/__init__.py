"""The reference server: a faithful, fast implementation of the Chat Accounts API."""

from conformance.server.app import create_app
from conformance.server.settings import ServerSettings

__all__ = ["ServerSettings", "create_app"]
