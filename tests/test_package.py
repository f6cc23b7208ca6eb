"""The package as users get it: a cheap `import pipeline`, the version, and the wheel in a fresh venv.

The wheel test builds the sdist and the wheel from it (`python -m build`), installs the wheel into
a new virtual environment in a temporary folder and runs the installed command and API there, far
from the repository, with the model that ships inside the wheel.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import pipeline
from pipeline.config import DEFAULT_MODEL
from tests.conftest import FIXTURES, MODEL, REPO

GOLDEN = FIXTURES.parent / "golden"


def python_says(code: str, python: str | Path = sys.executable, cwd: Path = REPO) -> str:
    """What `code` prints, run in a new interpreter (a fresh sys.modules)."""
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    result = subprocess.run([str(python), "-c", textwrap.dedent(code)], cwd=cwd, env=environment,
                            capture_output=True, text=True, timeout=600, check=True)
    return result.stdout.strip()


def test_import_pipeline_loads_no_stage_no_pandas_and_no_spacy():
    loaded = json.loads(python_says("import json, sys, pipeline; print(json.dumps(sorted(sys.modules)))"))
    assert [name for name in loaded if name.split(".")[0] in ("spacy", "thinc", "pandas", "langdetect")] == []
    assert [name for name in loaded if name.startswith("pipeline")] == ["pipeline"]


def test_public_run_stays_the_function_after_its_module_is_imported():
    """Importing the submodule pipeline.run (as the CLI does) must not replace `pipeline.run`."""
    assert python_says("import pipeline.cli, pipeline; print(pipeline.run.__module__, callable(pipeline.run))") == "pipeline.run True"
    assert python_says("from pipeline import run, extract; print(run.__name__, extract.__name__)") == "run extract"


def test_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="module 'pipeline' has no attribute 'Extract'"):
        pipeline.Extract  # noqa: B018


def test_shipped_model_is_found_inside_the_package():
    assert DEFAULT_MODEL == Path(pipeline.__file__).resolve().parent / "model"
    assert (DEFAULT_MODEL / "meta.json").is_file() == (MODEL / "meta.json").is_file()


def test_version_names_the_package_and_the_model():
    meta = json.loads((MODEL / "meta.json").read_text(encoding="utf-8"))
    printed = subprocess.run([sys.executable, "-m", "pipeline", "--version"], capture_output=True, text=True, timeout=120)
    assert printed.returncode == 0
    assert printed.stdout == f"dutch-press-pipeline {pipeline.__version__}, model {meta['name']} {meta['version']}\n"


API_CHECK = """
    import json, sys, pipeline
    spacy_on_import = "spacy" in sys.modules
    from pipeline.config import DEFAULT_MODEL
    from pipeline.ner import model_fingerprint
    tables = pipeline.extract(["Burgemeester Mathias De Clercq opende gisteren de nieuwe tramlijn van De Lijn in Gent."],
                              published="2025-06-12", workers=1)
    print(json.dumps({
        "package": pipeline.__file__,
        "spacy_on_import": spacy_on_import,
        "model": model_fingerprint(DEFAULT_MODEL),
        "mentions": sorted(map(list, zip(tables["mentions"]["text"], tables["mentions"]["label"]))),
        "dates": tables["dates"]["value"].tolist(),
    }))
"""


@pytest.mark.slow
@pytest.mark.skipif(not (MODEL / "meta.json").is_file(), reason="the shipped model models/nl_press_ner is missing")
def test_wheel_installs_in_a_fresh_venv_and_runs_there(tmp_path):
    from pipeline.ner import model_fingerprint

    dist, venv, work = tmp_path / "dist", tmp_path / "venv", tmp_path / "work"
    subprocess.run([sys.executable, "-m", "build", "--outdir", str(dist), str(REPO)], check=True, capture_output=True, timeout=900)
    (wheel,) = dist.glob("*.whl")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python, command = venv / "bin" / "python", venv / "bin" / "dutch-press"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", str(wheel)], check=True, capture_output=True, timeout=900)
    shutil.copytree(FIXTURES / "corpus", work / "corpus")

    environment = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    version = subprocess.run([str(command), "--version"], cwd=work, env=environment, capture_output=True, text=True, timeout=120)
    assert version.stdout.startswith(f"dutch-press-pipeline {pipeline.__version__}, model nl_press_ner ")
    extracted = subprocess.run([str(command), "extract", "corpus", "--out", "out", "--workers", "1", "--no-progress"],
                               cwd=work, env=environment, capture_output=True, text=True, timeout=600)
    assert extracted.returncode == 0, extracted.stderr
    for table in sorted(GOLDEN.glob("*.csv")):
        assert (work / "out" / table.name).read_text(encoding="utf-8") == table.read_text(encoding="utf-8"), table.name

    report = json.loads(python_says(API_CHECK, python=python, cwd=work))
    assert Path(report["package"]).is_relative_to(venv), "the installed package, not the repository, was imported"
    assert report["spacy_on_import"] is False
    assert report["model"] == model_fingerprint(MODEL), "the wheel holds every file of models/nl_press_ner"
    assert ["Mathias De Clercq", "PER"] in report["mentions"] and ["De Lijn", "ORG"] in report["mentions"]
    assert report["dates"] == ["2025-06-11"]
