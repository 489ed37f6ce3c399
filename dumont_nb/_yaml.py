"""YAML for config files, bounded: hostile documents fail fast with a :class:`ConfigError`.

``yaml.safe_load`` alone takes no time on a billion-laughs document (aliases share nodes), but
anything that walks the result (a message formatting the value, a validator) expands it
exponentially. Here a document is refused before it is constructed when it is larger than
:data:`MAX_CHARS`, expands to more than :data:`MAX_NODES` nodes, nests deeper than the parser
can follow, holds a recursive alias, or repeats a key in a mapping. :func:`show` formats any
value for a message in bounded size and time.
"""

from __future__ import annotations

import re

import reprlib
from typing import Any

from .errors import ConfigError

__all__ = ["load_bounded", "show", "MAX_CHARS", "MAX_NODES"]

#: the largest config document accepted (characters)
MAX_CHARS = 1 << 20
#: the most nodes a document may expand to, aliases counted at every use
MAX_NODES = 100_000

_REPR = reprlib.Repr()
_REPR.maxlevel = 3
_REPR.maxstring = _REPR.maxother = 80
_REPR.maxlist = _REPR.maxdict = _REPR.maxtuple = _REPR.maxset = 6


def show(value: Any) -> str:
    """A ``repr`` of ``value`` cut to about 100 characters, whatever its size or depth."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value).bit_length() > 128:
        return f"a number of about {int(abs(value).bit_length() * 0.30103) + 1:,} digits"
    try:
        return _REPR.repr(value)
    except Exception:  # a value whose repr fails cannot be shown
        return f"<{type(value).__name__}>"


def _children(node) -> list:
    import yaml

    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def _check_expansion(root, source: str) -> None:
    """Count the nodes ``root`` expands to (each shared node once per use), without expanding."""
    size: dict[int, int] = {}
    active: set[int] = set()
    stack = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        if finished:
            active.discard(key)
            size[key] = 1 + sum(size[id(c)] for c in _children(node))
            if size[key] > MAX_NODES:
                raise ConfigError(
                    f"{source}: the document expands to more than {MAX_NODES:,} values through its aliases "
                    "(&anchor/*alias); a config is a few remotes: remove the aliases"
                )
            continue
        if key in size:
            continue
        if key in active:
            raise ConfigError(f"{source}: a YAML alias refers to the value it is inside (a recursive alias); remove it")
        active.add(key)
        stack.append((node, True))
        for child in _children(node):
            if id(child) in active:
                raise ConfigError(f"{source}: a YAML alias refers to the value it is inside (a recursive alias); remove it")
            if id(child) not in size:
                stack.append((child, False))


def _loader_class():
    import yaml

    class Loader(yaml.SafeLoader):
        """SafeLoader that refuses a key given twice in one mapping."""

        def construct_mapping(self, node, deep=False):
            seen: set = set()
            if isinstance(node, yaml.MappingNode):
                for key_node, _ in node.value:
                    if key_node.tag == "tag:yaml.org,2002:merge":
                        continue
                    key = self.construct_object(key_node, deep=True)
                    try:
                        dup = key in seen
                        seen.add(key)
                    except TypeError:  # an unhashable key: the base class reports it
                        continue
                    if dup:
                        raise ConfigError(
                            f"{{source}}, line {key_node.start_mark.line + 1}: the key {show(key)} appears twice "
                            "in one mapping (YAML keeps only the last); keep one of them"
                        )
            return super().construct_mapping(node, deep=deep)

    return Loader


#: ``[``/``{`` open at once, at most (counted before parsing, quotes or not: a config needs a few)
MAX_FLOW_DEPTH = 64


def _flow_depth(text: str) -> int:
    depth = deepest = 0
    for ch in re.sub(r"[^\[\]{}]", "", text):
        depth = depth + 1 if ch in "[{" else max(0, depth - 1)
        deepest = max(deepest, depth)
    return deepest


def load_bounded(text: str, source: str) -> Any:
    """Parse one YAML document within the bounds above.

    Raises:
        ConfigError: too large, too deeply nested, expanding too far, a recursive alias, a
            duplicate key, a number too large, or a YAML syntax error (with its line number).
    """
    import yaml

    if len(text) > MAX_CHARS:
        raise ConfigError(f"{source}: {len(text):,} characters; a config file is at most {MAX_CHARS:,}")
    if _flow_depth(text) > MAX_FLOW_DEPTH:  # PyYAML's scanner is quadratic in flow nesting: refuse first
        raise ConfigError(f"{source}: the YAML nests too deeply to read; a config needs a few levels")
    loader = None
    try:
        loader = _loader_class()(text)
        node = loader.get_single_node()
        if node is None:
            return None
        _check_expansion(node, source)
        return loader.construct_document(node)
    except ConfigError as exc:
        raise ConfigError(str(exc).replace("{source}", source)) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f", line {mark.line + 1}" if mark is not None else ""
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        raise ConfigError(f"{source}{line}: YAML syntax error: {problem}; fix the YAML at that line") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source}: YAML syntax error: {show(str(exc))}") from None
    except RecursionError:
        raise ConfigError(f"{source}: the YAML nests too deeply to read; a config needs a few levels") from None
    except ValueError as exc:  # e.g. an integer past Python's digit limit
        raise ConfigError(f"{source}: a value cannot be read ({show(str(exc))}); check the numbers in the file") from None
    finally:
        if loader is not None:
            loader.dispose()
