"""Reading YAML data files with line numbers, so errors can name the file and line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Literal, overload

import yaml


class DataFileError(Exception):
    """A data file cannot be loaded; the message names the file, the line and the reason."""

    def __init__(self, path: str | Path, line: int | None, reason: str) -> None:
        self.path, self.line, self.reason = str(path), line, reason
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {reason}")


class Node(dict):
    """A mapping that remembers the line it starts on and the line of each key."""

    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class NodeList(list):
    line: int = 0


class _Loader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> Node:
    loader.flatten_mapping(node)
    result = Node()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in result:
            raise DataFileError(loader.name, key_node.start_mark.line + 1, f"duplicate key {key!r}")
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[str(key)] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> NodeList:
    result = NodeList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    return result


def _construct_timestamp(loader: _Loader, node: yaml.ScalarNode) -> str:
    # Keep dates as written ("2021-05-12"); the schema decides how to parse them.
    return str(loader.construct_scalar(node))


def _construct_str(loader: _Loader, node: yaml.ScalarNode) -> str:
    # Text from data files goes through the same edge as forms and imports
    # (tracker/inputs.py): NFC, LF line breaks, no control characters (YAML's escapes such
    # as "\v" or "\e" would otherwise let them in).
    from tracker.inputs import ControlCharacterError, clean

    try:
        return clean(str(loader.construct_scalar(node)))
    except ControlCharacterError as exc:
        raise DataFileError(loader.name, node.start_mark.line + 1, f"text {exc}") from None


_Loader.add_constructor("tag:yaml.org,2002:str", _construct_str)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


def load_yaml(path: str | Path) -> Any:
    """Parse a YAML file; syntax errors become DataFileError with the line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DataFileError(path, None, f"cannot read file ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise DataFileError(path, None, "file is not UTF-8 text") from None
    loader = _Loader(text)
    loader.name = str(path)
    try:
        return loader.get_single_data()
    except DataFileError:
        raise
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise DataFileError(path, line, f"YAML syntax error: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise DataFileError(path, None, f"YAML error: {exc}") from None
    finally:
        loader.dispose()


class Reader:
    """Typed access to fields of a Node that raises DataFileError on bad values."""

    def __init__(self, path: str | Path, node: Any, where: str) -> None:
        self.path = str(path)
        self.where = where
        if not isinstance(node, dict):
            raise DataFileError(path, getattr(node, "line", None), f"{where}: expected a mapping")
        self.node: Node = node if isinstance(node, Node) else Node(node)
        if not hasattr(self.node, "key_lines"):
            self.node.key_lines = {}

    def fail(self, key: str | None, reason: str) -> DataFileError:
        line = self.node.line_of(key) if key else self.node.line
        label = f"{self.where}.{key}" if key else self.where
        return DataFileError(self.path, line, f"{label}: {reason}")

    @overload
    def text(self, key: str, *, required: Literal[True], max_len: int = ...) -> str: ...

    @overload
    def text(self, key: str, *, required: bool = False, max_len: int = ...) -> str | None: ...

    def text(self, key: str, *, required: bool = False, max_len: int = 100_000) -> str | None:
        """The field as text (numbers are read as their text); None when empty and optional."""
        value = self.node.get(key)
        if value is None or value == "":
            if required:
                raise self.fail(key, "is required")
            return None
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            raise self.fail(key, f"expected text, got {type(value).__name__}")
        value = str(value)
        if len(value) > max_len:
            raise self.fail(key, f"is longer than {max_len} characters")
        return value

    def choice(self, key: str, enum_cls: Any, *, required: bool = True) -> Any:
        value = self.text(key, required=required)
        if value is None:
            return None
        try:
            return enum_cls(value)
        except ValueError:
            allowed = ", ".join(m.value for m in enum_cls)
            raise self.fail(key, f"{value!r} is not one of: {allowed}") from None

    def items(self, key: str) -> list[Any]:
        value = self.node.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(key, "expected a list")
        return value

    @overload
    def integer(self, key: str, *, required: Literal[True]) -> int: ...

    @overload
    def integer(self, key: str, *, required: bool = False) -> int | None: ...

    def integer(self, key: str, *, required: bool = False) -> int | None:
        """The field as a whole number (booleans refused); None when absent and optional."""
        value = self.node.get(key)
        if value is None:
            if required:
                raise self.fail(key, "is required")
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(key, f"expected a whole number, got {value!r}")
        return value

    def date(self, key: str) -> dt.date | None:
        value = self.text(key)
        if value is None:
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise self.fail(key, f"{value!r} is not a real date (YYYY-MM-DD)") from None

    def unknown_keys(self, allowed: set[str]) -> None:
        extra = sorted(set(self.node) - allowed)
        if extra:
            raise self.fail(extra[0], f"unknown field (allowed: {', '.join(sorted(allowed))})")
