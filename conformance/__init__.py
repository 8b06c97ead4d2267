"""Conformance suite, reference server and mock for the Zendesk Chat Accounts API."""

__version__ = "0.1.0"
