"""`medlm datasets`: list, show and export the real datasets that ship inside packages."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from medlm.cli.render import print_json, print_table, progress, stdout
from medlm.datasets import info, list_datasets, load
from medlm.datasets.export import ExportFormat, check_exportable, export_dataset

app = typer.Typer(help="The real datasets that ship inside Python packages.", no_args_is_help=True)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]


@app.command("list")
def list_command(as_json: JsonFlag = False) -> None:
    """List the registered datasets with their source, version and licence."""
    infos = [info(name) for name in list_datasets()]
    if as_json:
        print_json(infos)
        return
    rows = [
        [i.name, i.kind.value, f"{i.source_package} {i.package_version or '(not installed)'}",
         i.licence, i.title]
        for i in infos
    ]  # fmt: skip
    print_table("medlm datasets", ["name", "kind", "package", "licence", "title"], rows)


@app.command("show")
def show_command(
    name: Annotated[str, typer.Argument(help="Dataset name, see `medlm datasets list`.")],
    limit: Annotated[int | None, typer.Option(help="Load only the first N rows.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Load one dataset and show its provenance: rows, outcome balance and caveats."""
    info(name)  # an unknown name fails before any loading
    with stdout().status(f"loading {name} ..."):
        dataset = load(name, limit=limit)
    prov = dataset.provenance
    if as_json:
        print_json(prov)
        return
    rows: list[list[object]] = [
        ["title", prov.title],
        ["package", f"{prov.source_package} {prov.package_version}"],
        ["original source", prov.original_source],
        ["url", prov.url],
        ["licence", prov.licence],
        ["rows", prov.rows],
        ["target", prov.target],
        ["outcome balance", prov.outcome_balance],
        ["records", "yes" if dataset.has_records else "no"],
    ]
    rows += [[key, value] for key, value in prov.counts.items()]
    rows += [["caveat", caveat] for caveat in prov.caveats]
    print_table(f"dataset {prov.name}", ["field", "value"], rows)


@app.command("export")
def export_command(
    name: Annotated[str, typer.Argument(help="Dataset name, see `medlm datasets list`.")],
    fmt: Annotated[ExportFormat, typer.Option("--format", help="fhir (a Bundle) or csv.")],
    out: Annotated[Path, typer.Option("--out", help="Folder to write <name>.json/.csv into.")],
) -> None:
    """Export a dataset: patient-level ones as a FHIR R4 bundle, any one as CSV."""
    check_exportable(info(name), fmt)
    with progress(f"exporting {name}", total=2) as advance:
        dataset = load(name)
        advance()
        path = export_dataset(dataset, fmt, out)
        advance()
    typer.echo(str(path))
