"""Tiny notebooks for runner and parameter tests."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook


def make_notebook(path: Path, params: str, body: str = "print(answer)", question: str = "A test question") -> Path:
    nb = new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
        "collection": {"title": path.stem, "question": question, "reads": []},
    }
    cells = [new_markdown_cell(f"# {path.stem}"), new_code_cell(params), new_code_cell(body)]
    cells[1].metadata["tags"] = ["parameters"]
    for i, c in enumerate(cells):
        c["id"] = f"c{i}"
    nb.cells = cells
    nbformat.write(nb, path)
    return path
