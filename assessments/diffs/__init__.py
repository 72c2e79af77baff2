"""What changed between two versions, for the reviewer (the "reads" layer): the report's
fields character by character (`compute`, stored once per pair of versions), and the
standard-mode records row by row (`records`)."""

from .compute import FieldChange, content_diff, version_diff

__all__ = ["FieldChange", "content_diff", "version_diff"]
