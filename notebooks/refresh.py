"""Execute the demo notebooks against the embedded demo and save them with their outputs.

    python notebooks/refresh.py          # after editing a notebook; commit the result

A notebook on a code host then shows what it does. Each saved notebook records the SHA-256 of
its code cells' sources in ``metadata.dumont.sources_sha256``; ``tests/test_demo.py`` checks
that it matches the sources (so the outputs are from the code as it is) and that no cell failed
and no secret of the demo's config is in the file.
"""

from __future__ import annotations

import hashlib
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def sources_sha256(nb) -> str:
    """The hash of a notebook's code cells' sources, in order."""
    h = hashlib.sha256()
    for cell in nb.cells:
        if cell.cell_type == "code":
            h.update(cell.source.encode("utf-8") + b"\0")
    return h.hexdigest()


def main() -> int:
    import nbformat
    from nbclient import NotebookClient

    from dumont_nb.demo import NOTEBOOKS, DemoServer

    with tempfile.TemporaryDirectory(prefix="dumont-refresh-") as tmp, DemoServer(Path(tmp)) as demo:
        for name in NOTEBOOKS:
            path = demo.workdir / name
            nb = nbformat.read(path, as_version=4)
            NotebookClient(nb, timeout=300, kernel_name="python3",
                           resources={"metadata": {"path": str(demo.workdir)}}).execute(env=demo.env())
            nb.metadata.setdefault("dumont", {})["sources_sha256"] = sources_sha256(nb)
            nb.metadata.pop("widgets", None)  # widget state is for a live kernel, not the saved page
            nbformat.write(nb, HERE / name)
            print(f"executed {name}: {sum(c.cell_type == 'code' for c in nb.cells)} code cells")
    return 0


if __name__ == "__main__":
    sys.exit(main())
