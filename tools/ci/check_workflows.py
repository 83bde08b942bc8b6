#!/usr/bin/env python3
"""Structural check of the CI files caac ships, run by .ci/run beside zizmor.

Contract: every file given is valid YAML and carries the keys its runner
requires; exit 0 when all pass, 1 with one line per problem
(`FILE: where: what`) otherwise, 2 on a usage error.

- GitHub workflows (.github/workflows/*.yml, examples/ci/github-*.yml), per
  the workflow syntax reference
  (https://docs.github.com/en/actions/writing-workflows/workflow-syntax-for-github-actions):
  `on` and a non-empty `jobs`; each job has `runs-on` and a non-empty
  `steps` list (or `uses` for a reusable workflow); each step has exactly one
  of `uses` / `run`; every `uses` of another repository names a ref, and in
  caac's own workflows (not the examples, see tools/ci/zizmor-examples.yml)
  a full 40-hex commit SHA.
- The composite action (action.yml), per the metadata syntax reference
  (https://docs.github.com/en/actions/sharing-automations/creating-actions/metadata-syntax-for-github-actions):
  `name`, `description`, `runs.using: composite` and `runs.steps`, where every
  `run` step also names its `shell`.
- Azure Pipelines (examples/ci/azure-pipelines.yml), per the YAML schema
  (https://learn.microsoft.com/azure/devops/pipelines/yaml-schema/):
  `stages` with `jobs`, each job (or deployment strategy) with steps, each
  step of one known kind.

With --shellcheck PATH, every bash `run:` / `bash:` script is also checked
by ShellCheck, with `${{ ... }}` and `$(...)`-macro expressions replaced by
placeholders first (they are expanded by the runner, not by bash).
"""

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

SHA = re.compile(r"^[0-9a-f]{40}$")
ADO_STEP_KINDS = {"task", "bash", "script", "pwsh", "powershell", "checkout", "publish", "download", "template", "downloadBuild", "getPackage", "reviewApp"}


def load(path, problems):
    try:
        with open(path, encoding="utf-8") as f:
            return yaml.safe_load(f)
    except yaml.YAMLError as e:
        problems.append(f"{path}: not valid YAML: {e}")
    except OSError as e:
        problems.append(f"{path}: unreadable: {e}")
    return None


def check_uses(path, where, uses, strict_pins, problems):
    if uses.startswith("./") or uses.startswith("docker://"):
        return
    if "@" not in uses:
        problems.append(f"{path}: {where}: `uses: {uses}` names no ref")
        return
    ref = uses.rsplit("@", 1)[1]
    if strict_pins and not SHA.match(ref):
        problems.append(f"{path}: {where}: `uses: {uses}` is not pinned by a full commit SHA")


def check_workflow(path, doc, strict_pins, problems, scripts):
    if not isinstance(doc, dict):
        problems.append(f"{path}: a workflow is a mapping")
        return
    # PyYAML reads the bare key `on` as the YAML 1.1 boolean true.
    if "on" not in doc and True not in doc:
        problems.append(f"{path}: missing `on`")
    jobs = doc.get("jobs")
    if not isinstance(jobs, dict) or not jobs:
        problems.append(f"{path}: missing or empty `jobs`")
        return
    for name, job in jobs.items():
        where = f"jobs.{name}"
        if not isinstance(job, dict):
            problems.append(f"{path}: {where}: a job is a mapping")
            continue
        if "uses" in job:
            check_uses(path, where, str(job["uses"]), strict_pins, problems)
            continue
        if "runs-on" not in job:
            problems.append(f"{path}: {where}: missing `runs-on`")
        steps = job.get("steps")
        if not isinstance(steps, list) or not steps:
            problems.append(f"{path}: {where}: missing or empty `steps`")
            continue
        for i, step in enumerate(steps):
            check_step(path, f"{where}.steps[{i}]", step, strict_pins, problems, scripts, need_shell=False)


def check_step(path, where, step, strict_pins, problems, scripts, need_shell):
    if not isinstance(step, dict):
        problems.append(f"{path}: {where}: a step is a mapping")
        return
    kinds = [k for k in ("uses", "run") if k in step]
    if len(kinds) != 1:
        problems.append(f"{path}: {where}: a step has exactly one of `uses` and `run`")
        return
    if "uses" in step:
        check_uses(path, where, str(step["uses"]), strict_pins, problems)
    else:
        if need_shell and "shell" not in step:
            problems.append(f"{path}: {where}: a composite action's `run` step needs `shell`")
        if step.get("shell", "bash") == "bash":
            scripts.append((path, where, str(step["run"])))


def check_action(path, doc, problems, scripts):
    if not isinstance(doc, dict):
        problems.append(f"{path}: an action is a mapping")
        return
    for key in ("name", "description", "runs"):
        if key not in doc:
            problems.append(f"{path}: missing `{key}`")
    runs = doc.get("runs") or {}
    if runs.get("using") != "composite":
        problems.append(f"{path}: runs.using must be `composite`")
    steps = runs.get("steps")
    if not isinstance(steps, list) or not steps:
        problems.append(f"{path}: missing or empty runs.steps")
        return
    for i, step in enumerate(steps):
        check_step(path, f"runs.steps[{i}]", step, True, problems, scripts, need_shell=True)
    for name, spec in (doc.get("inputs") or {}).items():
        if not isinstance(spec, dict) or "description" not in spec:
            problems.append(f"{path}: inputs.{name}: missing `description`")


def ado_steps(path, where, steps, problems, scripts):
    if not isinstance(steps, list) or not steps:
        problems.append(f"{path}: {where}: missing or empty `steps`")
        return
    for i, step in enumerate(steps):
        w = f"{where}.steps[{i}]"
        kinds = [k for k in ADO_STEP_KINDS if isinstance(step, dict) and k in step]
        if len(kinds) != 1:
            problems.append(f"{path}: {w}: a step has exactly one of {sorted(ADO_STEP_KINDS)}")
            continue
        if kinds[0] == "bash":
            scripts.append((path, w, str(step["bash"])))
        if kinds[0] == "task":
            inputs = step.get("inputs") or {}
            if inputs.get("scriptType") == "bash" and "inlineScript" in inputs:
                scripts.append((path, w, str(inputs["inlineScript"])))


def check_azure(path, doc, problems, scripts):
    if not isinstance(doc, dict):
        problems.append(f"{path}: a pipeline is a mapping")
        return
    stages = doc.get("stages")
    if not isinstance(stages, list) or not stages:
        problems.append(f"{path}: missing or empty `stages`")
        return
    for si, stage in enumerate(stages):
        jobs = stage.get("jobs") if isinstance(stage, dict) else None
        if not isinstance(jobs, list) or not jobs:
            problems.append(f"{path}: stages[{si}]: missing or empty `jobs`")
            continue
        for ji, job in enumerate(jobs):
            where = f"stages[{si}].jobs[{ji}]"
            if not isinstance(job, dict) or not ("job" in job or "deployment" in job):
                problems.append(f"{path}: {where}: a job is `job:` or `deployment:`")
                continue
            if "pool" not in job and "pool" not in doc and "pool" not in stage:
                problems.append(f"{path}: {where}: no `pool` (job, stage or pipeline)")
            if "deployment" in job:
                if "environment" not in job:
                    problems.append(f"{path}: {where}: a deployment needs `environment`")
                run_once = ((job.get("strategy") or {}).get("runOnce") or {}).get("deploy") or {}
                ado_steps(path, f"{where}.strategy.runOnce.deploy", run_once.get("steps"), problems, scripts)
            else:
                ado_steps(path, where, job.get("steps"), problems, scripts)


def shellcheck(exe, scripts, problems):
    with tempfile.TemporaryDirectory() as tmp:
        for n, (path, where, text) in enumerate(scripts):
            # Runner-side expressions become plain words for bash.
            text = re.sub(r"\$\{\{.*?\}\}", "EXPR", text)
            text = re.sub(r"\$\(([A-Za-z_][A-Za-z0-9_.]*)\)", r"/ado/\1", text)
            f = Path(tmp) / f"s{n}.sh"
            f.write_text("#!/usr/bin/env bash\n" + text, encoding="utf-8")
            r = subprocess.run([exe, "--severity=warning", "--format=gcc", str(f)], capture_output=True, text=True)
            for line in r.stdout.splitlines():
                problems.append(f"{path}: {where}: shellcheck: {line.split(':', 3)[-1].strip()}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--action", action="append", default=[], help="a composite action.yml")
    ap.add_argument("--workflow", action="append", default=[], help="a workflow of caac's own (SHA pins required)")
    ap.add_argument("--example", action="append", default=[], help="an example workflow (a ref is enough)")
    ap.add_argument("--azure", action="append", default=[], help="an Azure Pipelines file")
    ap.add_argument("--shellcheck", help="ShellCheck executable; checks every bash script")
    a = ap.parse_args()
    if not (a.action or a.workflow or a.example or a.azure):
        ap.error("nothing to check")
    problems, scripts = [], []
    for p in a.action:
        doc = load(p, problems)
        if doc is not None:
            check_action(p, doc, problems, scripts)
    for p in a.workflow:
        doc = load(p, problems)
        if doc is not None:
            check_workflow(p, doc, True, problems, scripts)
    for p in a.example:
        doc = load(p, problems)
        if doc is not None:
            check_workflow(p, doc, False, problems, scripts)
    for p in a.azure:
        doc = load(p, problems)
        if doc is not None:
            check_azure(p, doc, problems, scripts)
    if a.shellcheck:
        shellcheck(a.shellcheck, scripts, problems)
    files = len(a.action) + len(a.workflow) + len(a.example) + len(a.azure)
    for line in problems:
        print(line)
    print(f"workflow check: {files} files, {len(scripts)} scripts, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
