#!/usr/bin/env python3
"""Runs the bash steps of action.yml the way a GitHub runner would, on loopback.

Contract: `test_action.py CAAC_BINARY` exits 0 when every case below holds,
1 (naming the case) otherwise. It needs bash, curl, git and openssl.

A GitHub runner runs each `run:` of a composite action with `bash -e
{0}`-like semantics after substituting `${{ ... }}` in `env:` values, and
gives the step GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, RUNNER_TEMP, RUNNER_OS,
RUNNER_ARCH and GITHUB_SERVER_URL
(https://docs.github.com/en/actions/writing-workflows/choosing-what-your-workflow-does/store-information-in-variables#default-environment-variables).
Here the `env:` values are set directly (the action never interpolates
inputs into scripts, so this is exactly what the scripts see), the release
download is served over HTTPS from 127.0.0.1 with a throwaway certificate
that curl trusts through CURL_CA_BUNDLE, and `gh` is a recording stand-in.

Cases: the install step verifies the archive against SHA256SUMS (a good
archive installs and reports its path; a tampered archive, an archive
missing from SHA256SUMS and a malformed version are each refused); the lint
step writes SARIF, the summary and `exit-code` 0 on the starter set and 1
with findings at the chosen fail level; the gate step exits with that code;
the comment step posts `caac impact` as one marked comment.
"""

import hashlib
import http.server
import io
import json
import os
import shutil
import ssl
import subprocess
import sys
import tarfile
import tempfile
import threading
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
VERSION = "0.1.0"
ASSET = f"caac-{VERSION}-x86_64-unknown-linux-musl.tar.gz"


def steps():
    doc = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    return {s["name"]: s for s in doc["runs"]["steps"]}


def run_step(step, env, cwd, tmp):
    """Runs one `run:` step; returns (exit code, outputs dict, summary text, stdout+stderr)."""
    out = tmp / "output"
    summary = tmp / "summary"
    out.write_text("")
    summary.write_text("")
    full = dict(os.environ)
    full.update({"GITHUB_OUTPUT": str(out), "GITHUB_STEP_SUMMARY": str(summary), "RUNNER_TEMP": str(tmp / "runner"), "GITHUB_REPOSITORY": "contoso/policies"})
    (tmp / "runner").mkdir(exist_ok=True)
    full.update(env)
    # GitHub runs `shell: bash` as `bash --noprofile --norc -eo pipefail {0}`.
    script = tmp / "step.sh"
    script.write_text(step["run"], encoding="utf-8")
    r = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=cwd, env=full, capture_output=True, text=True)
    outputs = {}
    for line in out.read_text().splitlines():
        k, _, v = line.partition("=")
        outputs[k] = v
    return r.returncode, outputs, summary.read_text(), r.stdout + r.stderr


class Server:
    """HTTPS on 127.0.0.1 serving files from a directory, as the release download."""

    def __init__(self, root, tmp):
        self.root = root
        cert, key = tmp / "cert.pem", tmp / "key.pem"
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                        "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
        self.cert = cert
        root_dir = str(root)

        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *a, **kw):
                super().__init__(*a, directory=root_dir, **kw)

            def log_message(self, *a):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        self.httpd.socket = ctx.wrap_socket(self.httpd.socket, server_side=True)
        self.url = f"https://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()


def release(dir_, caac, tamper=False, list_asset=True):
    d = dir_ / "caac-dev" / "caac" / "releases" / "download" / f"v{VERSION}"
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir(parents=True)
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as t:
        t.add(caac, arcname="caac")
    data = buf.getvalue()
    digest = hashlib.sha256(data).hexdigest()
    if tamper:
        data = data + b"\0"
    (d / ASSET).write_bytes(data)
    lines = [f"{'0' * 64}  caac-{VERSION}-x86_64-apple-darwin.tar.gz"]
    if list_asset:
        lines.append(f"{digest}  {ASSET}")
    (d / "SHA256SUMS").write_text("\n".join(lines) + "\n")


def main():
    if len(sys.argv) != 2:
        print("usage: test_action.py CAAC_BINARY", file=sys.stderr)
        return 2
    caac = Path(sys.argv[1]).resolve()
    s = steps()
    failures = []

    def expect(case, cond, detail=""):
        print(f"{'ok' if cond else 'FAIL'}: {case}")
        if not cond:
            failures.append(case)
            if detail:
                print(detail)

    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        served = tmp / "served"
        served.mkdir()
        server = Server(served, tmp)
        try:
            base_env = {"GITHUB_SERVER_URL": server.url, "CURL_CA_BUNDLE": str(server.cert), "RUNNER_OS_NAME": "Linux", "RUNNER_ARCH_NAME": "X64"}
            install = s["Install caac"]

            # The archive holds a stand-in `caac` (a small script printing its
            # version): the install step only unpacks it and runs --version.
            stub = tmp / "stub" / "caac"
            stub.parent.mkdir()
            stub.write_text(f"#!/bin/sh\necho caac {VERSION}\n")
            stub.chmod(0o755)
            release(served, stub)
            code, outs, _, log = run_step(install, {**base_env, "CAAC_VERSION": VERSION}, ROOT, tmp)
            installed = outs.get("caac", "")
            expect("install: a good archive installs", code == 0 and installed.endswith("/caac") and Path(installed).is_file(), log)

            release(served, stub, tamper=True)
            code, outs, _, log = run_step(install, {**base_env, "CAAC_VERSION": VERSION}, ROOT, tmp)
            expect("install: a tampered archive is refused", code != 0 and "caac" not in outs and "FAILED" in log, log)

            release(served, stub, list_asset=False)
            code, outs, _, log = run_step(install, {**base_env, "CAAC_VERSION": VERSION}, ROOT, tmp)
            expect("install: an archive missing from SHA256SUMS is refused", code != 0 and "not listed" in log, log)

            code, outs, _, log = run_step(install, {**base_env, "CAAC_VERSION": "0.1.0/../../evil"}, ROOT, tmp)
            expect("install: a malformed version is refused", code == 2 and "input version" in log, log)
        finally:
            server.close()

        lint = s["Lint"]
        env = {"CAAC": str(caac), "CAAC_PATHS": "", "CAAC_TENANT": "", "CAAC_CONFIG": "", "CAAC_FAIL_LEVEL": "warning", "CAAC_SARIF": "true", "CAAC_TODAY": "2026-12-05"}
        code, outs, summary, log = run_step(lint, env, ROOT, tmp)
        sarif = outs.get("sarif-file", "")
        ok = code == 0 and outs.get("exit-code") == "0" and sarif and json.loads(Path(sarif).read_text()).get("version") == "2.1.0"
        expect("lint: the starter set is clean, SARIF written", ok, log)
        expect("lint: the summary holds the report", "## caac lint" in summary and "0 error(s)" in summary, summary)

        # A policy set with findings: one spec copied under a second name
        # duplicates a display name.
        work = tmp / "repo"
        shutil.copytree(ROOT / "policies", work / "policies")
        shutil.copy(ROOT / "tenant.yaml", work / "tenant.yaml")
        shutil.copy(ROOT / ".caac.yaml", work / ".caac.yaml")
        first = sorted((work / "policies").glob("*.yaml"))[0]
        shutil.copy(first, work / "policies" / "zz-copy.yaml")
        env2 = {**env, "CAAC_FAIL_LEVEL": "info", "CAAC_PATHS": "policies\n"}
        code, outs, _, log = run_step(lint, env2, work, tmp)
        expect("lint: findings give exit-code 1 and annotations", code == 0 and outs.get("exit-code") == "1" and "::error " in log, log)

        gate = s["Gate"]
        code, _, _, _ = run_step(gate, {"CAAC_STATUS": "1"}, ROOT, tmp)
        expect("gate: exits with lint's code", code == 1)
        code, _, _, _ = run_step(gate, {"CAAC_STATUS": ""}, ROOT, tmp)
        expect("gate: no lint result is an error", code == 2)

        # The comment step on a pull request: `caac impact` against the base
        # branch, posted once through `gh api` (a recording stand-in).
        (work / "policies" / "zz-copy.yaml").unlink()
        git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
        subprocess.run([*git, "init", "-q", "-b", "main"], cwd=work, check=True)
        subprocess.run([*git, "add", "-A"], cwd=work, check=True)
        subprocess.run([*git, "commit", "-q", "-m", "base"], cwd=work, check=True)
        subprocess.run([*git, "update-ref", "refs/remotes/origin/main", "HEAD"], cwd=work, check=True)
        # The pull request removes a policy.
        first.unlink()
        bin_dir = tmp / "bin"
        bin_dir.mkdir()
        calls = tmp / "gh-calls"
        (bin_dir / "gh").write_text(f"#!/usr/bin/env bash\nprintf '%s\\n' \"$*\" >> '{calls}'\n# list comments: none yet\nexit 0\n")
        (bin_dir / "gh").chmod(0o755)
        comment = s["Comment on the pull request"]
        cenv = {"CAAC": str(caac), "CAAC_COMMENT": "impact", "CAAC_BASE": "", "CAAC_BASE_REF": "main", "CAAC_PATHS": "", "CAAC_TENANT": "",
                "CAAC_CONFIG": "", "PR_NUMBER": "7", "GH_TOKEN": "x", "PATH": f"{bin_dir}:{os.environ['PATH']}", "CAAC_TODAY": "2026-12-05"}
        code, _, summary, log = run_step(comment, cenv, work, tmp)
        posted = calls.read_text() if calls.exists() else ""
        body = tmp / "runner" / "caac-comment.md.marked"
        body = body.read_text() if body.exists() else ""
        ok = (code == 0 and posted.count("--method POST repos/contoso/policies/issues/7/comments") == 1
              and body.startswith("<!-- caac:impact -->") and "CA001" in body and summary.strip() != "")
        expect("comment: impact is posted once as a new comment", ok, log + posted + body)

        cenv["CAAC_COMMENT"] = "everything"
        code, _, _, log = run_step(comment, cenv, work, tmp)
        expect("comment: an unknown kind is refused", code == 2 and "input comment" in log, log)

    print(f"action test: {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
