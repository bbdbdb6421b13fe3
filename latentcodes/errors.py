"""The exceptions latentcodes raises for problems a user can fix.

Every error a user can cause (a bad code spec, a config value, a missing data
file, a corrupt checkpoint) is a ``LatentCodesError``. The command line catches
exactly this class and prints its message as one line, so the message must
name the offending value and say what is allowed.
"""

from __future__ import annotations


class LatentCodesError(Exception):
    """Base class for every error caused by user input."""


class ConfigError(LatentCodesError, ValueError):
    """A code spec, recipe or config value is not valid."""


class PluginError(LatentCodesError):
    """A plugin is unknown, registered twice, or failed to load."""


class DataError(LatentCodesError):
    """A data folder or data file is missing, truncated or malformed."""


class CheckpointError(LatentCodesError):
    """A checkpoint or run directory cannot be read back."""


class TrainingError(LatentCodesError):
    """Training cannot go on (its losses stopped being finite)."""
