"""Xã Số: electronic administration for Vietnamese communes and the levels above them."""

__version__ = "0.1.0"
