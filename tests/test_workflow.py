"""The publishing workflow (.github/workflows/publish.yml): valid, and nothing of its own.

It cannot run here, so it is checked offline: against GitHub's workflow schema (the slow test,
with ``check-jsonschema --builtin-schema vendor.github-workflows``), and every command it runs
must be one the README documents (a line of one of the README's fenced code blocks): the
workflow calls the same commands as a person following the README, nothing else.  It publishes
what the scripts build where they build it, tests pull requests on the lowest and the highest
Python the README claims, and deploys with GitHub's own Pages actions.
"""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from coursetools import build_book, make_handout

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "publish.yml"
# Until the lead pastes it into README.md, the README's publishing section lives in this file.
README_PARTS = [ROOT / "README.md", ROOT / "PUBLISHING-README-SECTION.md"]


def workflow():
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def triggers(flow):
    return flow.get("on", flow.get(True))      # YAML 1.1 reads a bare `on` as True


def steps(flow):
    return [(name, step) for name, job in flow["jobs"].items() for step in job.get("steps", [])]


def run_lines(flow):
    """Every command line the workflow runs: (job, line)."""
    lines = []
    for name, step in steps(flow):
        for line in step.get("run", "").splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                lines.append((name, line))
    return lines


def documented_commands():
    """Every line of every fenced code block of the README (and its publishing section)."""
    commands = set()
    for path in README_PARTS:
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        for block in re.findall(r"^```[^\n]*\n(.*?)^```", text, re.S | re.M):
            for line in block.splitlines():
                line = re.sub(r"\s+#.*$", "", line).strip()   # a trailing comment
                if line:
                    commands.add(line)
    return commands


def test_every_command_the_workflow_runs_is_in_the_readme():
    documented = documented_commands()
    lines = run_lines(workflow())
    assert len(lines) >= 4
    missing = [f"{job}: {line}" for job, line in lines if line not in documented]
    assert not missing, "commands the README does not document: " + "; ".join(missing)


def test_the_workflow_uses_no_unpinned_or_unknown_actions():
    for _, step in steps(workflow()):
        if "uses" in step:
            assert re.fullmatch(r"[\w.-]+/[\w.-]+@v\d+", step["uses"]), step["uses"]


def test_push_to_main_builds_the_student_edition_and_deploys_it():
    flow = workflow()
    on = triggers(flow)
    assert on["push"]["branches"] == ["main"] and "pull_request" in on
    build = flow["jobs"]["build"]
    commands = [line for job, line in run_lines(flow) if job == "build"]
    assert any(line.endswith(".venv/bin/python -m coursetools.build_book student")
               for line in commands), commands
    site = build_book.EDITIONS["student"][0].relative_to(ROOT).as_posix()
    uploads = [s for s in build["steps"] if s.get("uses", "").startswith(
        "actions/upload-pages-artifact@")]
    assert [s["with"]["path"] for s in uploads] == [site]
    deploy = flow["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert [s["uses"].split("@")[0] for s in deploy["steps"]] == ["actions/deploy-pages"]
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert build["if"] == "github.event_name != 'pull_request'"


def test_the_launch_notebooks_are_the_handout_published_to_their_branch():
    flow = workflow()
    commands = [line for job, line in run_lines(flow) if job == "build"]
    assert ".venv/bin/python -m coursetools.make_handout" in commands
    handout = make_handout.DEFAULT_OUT.relative_to(ROOT).as_posix()
    [publish] = [s for _, s in steps(flow) if s.get("uses", "").startswith("peaceiris/")]
    assert publish["with"]["publish_dir"] == handout
    config = yaml.safe_load((ROOT / "book" / "_config.yml").read_text())
    assert publish["with"]["publish_branch"] == config["sphinx"]["config"]["launch_notebooks_branch"]


def test_pull_requests_run_the_readme_test_command_on_the_claimed_pythons():
    flow = workflow()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    low, high = re.search(r"Python (3\.\d+)\s*[–-]\s*(3\.\d+)", readme).groups()
    test = flow["jobs"]["test"]
    assert test["if"] == "github.event_name == 'pull_request'"
    assert test["strategy"]["matrix"]["python-version"] == [low, high]
    commands = [line for job, line in run_lines(flow) if job == "test"]
    assert len(commands) == 1 and "-m pytest" in commands[0]
    floors = [line for job, line in run_lines(flow) if job == "floors"]
    assert ".venv/bin/python -m pytest tests/test_floors.py -m slow" in floors


def check_jsonschema():
    exe = Path(sys.executable).with_name("check-jsonschema")
    found = str(exe) if exe.exists() else shutil.which("check-jsonschema")
    if found is None:
        message = ("check-jsonschema not found: install it (.venv/bin/pip install "
                   "check-jsonschema)")
        if os.environ.get("CI") == "true" or os.environ.get("NNLIB_REQUIRE_BROWSER"):
            pytest.fail(message + " (required in CI)", pytrace=False)
        pytest.skip(message)
    return found


@pytest.mark.slow
def test_the_workflow_is_valid_for_github():
    """GitHub's workflow schema (shipped inside check-jsonschema: no network)."""
    exe = check_jsonschema()
    result = subprocess.run([exe, "--builtin-schema", "vendor.github-workflows", str(WORKFLOW)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_the_schema_check_can_fail(tmp_path):
    exe = check_jsonschema()
    broken = tmp_path / "broken.yml"
    broken.write_text(WORKFLOW.read_text().replace("runs-on:", "runs_on:", 1))
    result = subprocess.run([exe, "--builtin-schema", "vendor.github-workflows", str(broken)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
