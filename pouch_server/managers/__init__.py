"""Managers own the daemon's logic; handlers only translate HTTP to calls on them."""
