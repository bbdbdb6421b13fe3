"""Registries: one per kind of plugin, filled from Python entry points.

Built-in plugins register exactly as a third-party package does: by declaring
an entry point in its ``pyproject.toml`` under one of the groups below. The
core never imports a built-in plugin by name. Entry points are loaded the
first time a registry is read; a plugin that fails to load is recorded by name
(``latentcodes list`` shows it) and the others keep working.
"""

from __future__ import annotations

import fnmatch
import logging
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from typing import Generic, TypeVar

from latentcodes.errors import PluginError

logger = logging.getLogger(__name__)

T = TypeVar("T")

Check = Callable[[object], str | None]


@dataclass(frozen=True)
class Entry(Generic[T]):
    """One registered plugin: its name, the object and where it came from."""

    name: str
    value: T
    source: str


class Registry(Generic[T]):
    """Plugins of one kind, found by name.

    Args:
        kind: what the plugins are, for messages ("recipe", "code type").
        group: the entry-point group that declares them.
        check: returns why an object is not a valid plugin of this kind, or None.
    """

    def __init__(self, kind: str, group: str, check: Check) -> None:
        self.kind = kind
        self.group = group
        self._check = check
        self._entries: dict[str, Entry[T]] = {}
        self._failures: dict[str, str] = {}
        self._loaded = False

    def register(self, name: str, value: T, source: str = "python") -> T:
        """Add a plugin; a name that is taken raises ``PluginError``."""
        self._load_entry_points()
        self._add(name, value, source)
        return value

    def get(self, name: str) -> T:
        """The plugin called ``name``; unknown names list the known ones."""
        self._load_entry_points()
        if name in self._entries:
            return self._entries[name].value
        if name in self._failures:
            raise PluginError(f"{self.kind} {name!r} failed to load: {self._failures[name]}")
        known = ", ".join(sorted(self._entries)) or "none"
        raise PluginError(f"unknown {self.kind} {name!r}; known {self.kind}s: {known}")

    def names(self, include: str = "*") -> list[str]:
        """Sorted names matching the glob ``include``."""
        self._load_entry_points()
        return sorted(n for n in self._entries if fnmatch.fnmatchcase(n, include))

    def entries(self) -> list[Entry[T]]:
        self._load_entry_points()
        return [self._entries[name] for name in sorted(self._entries)]

    def failures(self) -> dict[str, str]:
        """Plugins that failed to load, name to reason."""
        self._load_entry_points()
        return dict(self._failures)

    def __contains__(self, name: object) -> bool:
        self._load_entry_points()
        return name in self._entries

    def _add(self, name: str, value: object, source: str) -> None:
        if name in self._entries:
            other = self._entries[name].source
            raise PluginError(
                f"{self.kind} {name!r} from {source} is already registered by {other}; "
                "plugin names must be unique"
            )
        problem = self._check(value)
        if problem:
            raise PluginError(f"{self.kind} {name!r} from {source}: {problem}")
        self._entries[name] = Entry(name, value, source)  # type: ignore[arg-type]

    def _load_entry_points(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        for point in sorted(entry_points(group=self.group), key=lambda p: p.name):
            self._load_one(point)

    def _load_one(self, point: EntryPoint) -> None:
        dist = point.dist.name if point.dist is not None else "unknown package"
        source = f"{dist} ({point.value})"
        try:
            self._add(point.name, point.load(), source)
        except Exception as error:  # a broken plugin must not break the others
            reason = str(error) if isinstance(error, PluginError) else repr(error)
            self._failures[point.name] = reason
            logger.warning("%s plugin %r failed to load: %s", self.kind, point.name, reason)
