"""``%load_ext dumont_nb``: the ``%dumont`` line magic and the ``%%dumont`` cell magic.

- :mod:`.core`: the thin magic class (parse, dispatch, one-line errors)
- :mod:`.parser`: the argparse command line, raising ``UsageError``
- :mod:`.commands`: one plain function per sub-command, also usable from Python
- :mod:`.completion`: tab completion of sub-commands, remotes, buckets and keys
"""

from __future__ import annotations

__all__ = ["load_ipython_extension", "unload_ipython_extension"]


def load_ipython_extension(ipython) -> None:
    """Register ``%dumont`` / ``%%dumont`` and its tab completion on ``ipython``."""
    from .completion import register
    from .core import DumontMagics

    magics = DumontMagics(ipython)
    ipython.register_magics(magics)
    register(ipython, magics.parser)


def unload_ipython_extension(ipython) -> None:
    """Remove ``%dumont`` / ``%%dumont`` and the completer added by :func:`load_ipython_extension`."""
    from .completion import unregister

    unregister(ipython)
    for kind in ("line", "cell"):
        ipython.magics_manager.magics[kind].pop("dumont", None)
