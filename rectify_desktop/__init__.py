"""Rectify Desktop (整改台账): the ledger a unit keeps while it rectifies what an inspection found."""

__version__ = "0.1.0"
APP_NAME = "整改台账"
