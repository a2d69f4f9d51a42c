"""Thin HTTP handlers, grouped by API area: parse, call a manager, return.

Each handler class is bound to its managers; :func:`pouch_server.app.create_app` maps the
spec's operationIds to their methods.
"""
