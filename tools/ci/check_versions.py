#!/usr/bin/env python3
"""Every file that names the caac release to install names Cargo.toml's version.

Contract: exit 0 when action.yml's default `version`, the pre-commit mirror
template's version and `caac==` pin, the Azure Pipelines example's
CAAC_VERSION and every `caac-dev/caac@v...` in examples/ci name the version
in Cargo.toml; 1 with one line per mismatch otherwise. A release bumps them
together (release.yml builds the assets those files download).
"""

import re
import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def main():
    version = tomllib.loads((ROOT / "Cargo.toml").read_text())["package"]["version"]
    found = []
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    found.append(("action.yml inputs.version.default", str(action["inputs"]["version"]["default"])))
    mirror = tomllib.loads((ROOT / "tools/pre-commit/mirror/pyproject.toml").read_text())["project"]
    found.append(("tools/pre-commit/mirror/pyproject.toml version", mirror["version"]))
    found += [("tools/pre-commit/mirror/pyproject.toml dependency", d.split("==", 1)[1]) for d in mirror["dependencies"] if d.startswith("caac==")]
    azure = yaml.safe_load((ROOT / "examples/ci/azure-pipelines.yml").read_text())
    found.append(("examples/ci/azure-pipelines.yml CAAC_VERSION", str(azure["variables"]["CAAC_VERSION"])))
    for f in sorted((ROOT / "examples/ci").glob("github-*.yml")):
        for m in re.finditer(r"caac-dev/caac@v([0-9][^\s#]*)", f.read_text()):
            found.append((f"examples/ci/{f.name} uses", m.group(1)))
    bad = [(where, v) for where, v in found if v != version]
    for where, v in bad:
        print(f"{where}: {v}, but Cargo.toml says {version}")
    print(f"version check: {len(found)} places, {len(bad)} differ from {version}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
